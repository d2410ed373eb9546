#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace butler {

class DimensionUniverse;

// The filter above the dataset table: dataset-type globs and a where-expression. The
// expression is checked against the universe on every keystroke; an error is shown with a
// caret under its position and keeps the filter from being applied.
class DatasetFilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetFilterBar(QWidget* parent = nullptr);

    // The universe to check expressions against; not owned. Null disables checking.
    void setUniverse(const DimensionUniverse* universe);

    QStringList datasetTypeGlobs() const;
    QString where() const;
    // Sets the expression (e.g. from a selected dimension record) and applies it when valid.
    void setWhere(const QString& where);
    // Whether the expression as typed is valid.
    bool isValid() const { return m_valid; }
    QString errorText() const;

    QLineEdit* typesEdit() const { return m_types; }
    QLineEdit* whereEdit() const { return m_where; }

signals:
    void filterApplied(const QStringList& datasetTypeGlobs, const QString& where);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void validate();
    void apply();

    const DimensionUniverse* m_universe = nullptr;
    QLineEdit* m_types = nullptr;
    QLineEdit* m_where = nullptr;
    QPushButton* m_apply = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_typesLabel = nullptr;
    QLabel* m_whereLabel = nullptr;
    bool m_valid = true;
};

} // namespace butler
