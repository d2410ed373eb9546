#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QPushButton;

namespace butler {

class RepositorySession;

// Picks the TAGGED collection to add the selected datasets to: those the user may write are
// listed (the one used last comes first), and any name can be typed. The keyboard's way to do
// what dropping datasets on a TAGGED collection does.
class TagDialog : public QDialog
{
    Q_OBJECT

public:
    TagDialog(RepositorySession* session, int datasetCount, QWidget* parent = nullptr);

    QComboBox* collectionBox() const { return m_collection; }
    QString collection() const;
    // True once the list of collections arrived.
    bool isLoaded() const { return m_loaded; }

public slots:
    void accept() override;

signals:
    void tagRequested(const QString& collection);
    void loaded();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void validate();

    QComboBox* m_collection = nullptr;
    QLabel* m_hint = nullptr;
    QLabel* m_intro = nullptr;
    QLabel* m_collectionLabel = nullptr;
    // Not QDialogButtonBox's Ok, whose text a language change would set back to Qt's.
    QPushButton* m_ok = nullptr;
    int m_datasetCount = 0;
    bool m_loaded = false;
};

} // namespace butler
