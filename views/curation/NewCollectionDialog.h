#pragma once

#include "CollectionInfo.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace butler {

// Asks for a new collection's name (starting in the user's own namespace), type and
// documentation. Names outside u/<user>/ are allowed (group namespaces, admins): the server
// decides.
class NewCollectionDialog : public QDialog
{
    Q_OBJECT

public:
    explicit NewCollectionDialog(const QString& user, QWidget* parent = nullptr);

    QLineEdit* nameEdit() const { return m_name; }
    QComboBox* typeBox() const { return m_type; }

signals:
    void createRequested(const QString& name, CollectionType type, const QString& doc);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void validate();

    QLineEdit* m_name = nullptr;
    QComboBox* m_type = nullptr;
    QLineEdit* m_doc = nullptr;
    QLabel* m_hint = nullptr;
    QLabel* m_nameLabel = nullptr;
    QLabel* m_typeLabel = nullptr;
    QLabel* m_docLabel = nullptr;
    // Not QDialogButtonBox's Ok, whose text a language change would set back to Qt's.
    QPushButton* m_ok = nullptr;
};

} // namespace butler
