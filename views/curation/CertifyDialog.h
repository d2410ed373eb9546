#pragma once

#include "Timespan.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPushButton;

namespace butler {

class RepositorySession;

// Certifies datasets into a CALIBRATION collection: the collection (those the user may write)
// and the validity range in UTC, either end possibly unbounded.
class CertifyDialog : public QDialog
{
    Q_OBJECT

public:
    explicit CertifyDialog(RepositorySession* session, QWidget* parent = nullptr);

    // The range as chosen (TAI ns); invalid (begin >= end) disables OK.
    Timespan validity() const;
    QComboBox* collectionBox() const { return m_collection; }
    QDateTimeEdit* beginEdit() const { return m_begin; }
    QDateTimeEdit* endEdit() const { return m_end; }
    QCheckBox* openBeginBox() const { return m_openBegin; }
    QCheckBox* openEndBox() const { return m_openEnd; }

signals:
    void certifyRequested(const QString& collection, const Timespan& validity);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void validate();

    QComboBox* m_collection = nullptr;
    QDateTimeEdit* m_begin = nullptr;
    QDateTimeEdit* m_end = nullptr;
    QCheckBox* m_openBegin = nullptr;
    QCheckBox* m_openEnd = nullptr;
    QLabel* m_hint = nullptr;
    QLabel* m_collectionLabel = nullptr;
    QLabel* m_beginLabel = nullptr;
    QLabel* m_endLabel = nullptr;
    // Not QDialogButtonBox's Ok, whose text a language change would set back to Qt's.
    QPushButton* m_ok = nullptr;
};

} // namespace butler
