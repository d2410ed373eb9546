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

private:
    void validate();

    QLineEdit* m_name = nullptr;
    QComboBox* m_type = nullptr;
    QLineEdit* m_doc = nullptr;
    QLabel* m_hint = nullptr;
    QPushButton* m_ok = nullptr;
};

} // namespace butler
