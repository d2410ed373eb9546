#include "DatasetFilterBar.h"

#include "WhereValidation.h"

#include <QEvent>
#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace butler {

DatasetFilterBar::DatasetFilterBar(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_types = new QLineEdit(this);
    m_where = new QLineEdit(this);
    m_where->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_apply = new QPushButton(this);
    m_error = new QLabel(this);
    m_error->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    // A long message wraps in the room the bar has; it must not widen the window's centre and
    // push the docks aside.
    m_error->setWordWrap(true);
    m_error->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_error->hide();
    m_typesLabel = new QLabel(this);
    m_typesLabel->setBuddy(m_types);
    m_whereLabel = new QLabel(this);
    m_whereLabel->setBuddy(m_where);
    layout->addWidget(m_typesLabel, 0, 0);
    layout->addWidget(m_types, 0, 1);
    layout->addWidget(m_whereLabel, 0, 2);
    layout->addWidget(m_where, 0, 3);
    layout->addWidget(m_apply, 0, 4);
    layout->addWidget(m_error, 1, 3, 1, 2);
    layout->setColumnStretch(1, 1);
    layout->setColumnStretch(3, 3);
    retranslateUi();

    connect(m_where, &QLineEdit::textChanged, this, &DatasetFilterBar::validate);
    connect(m_where, &QLineEdit::returnPressed, this, &DatasetFilterBar::apply);
    connect(m_types, &QLineEdit::returnPressed, this, &DatasetFilterBar::apply);
    connect(m_apply, &QPushButton::clicked, this, &DatasetFilterBar::apply);
}

void DatasetFilterBar::retranslateUi()
{
    m_types->setPlaceholderText(tr("all dataset types (globs, e.g. raw calexp*)"));
    m_types->setAccessibleName(tr("Dataset types"));
    m_types->setToolTip(tr("Dataset type names or globs (*, ?, [...]), separated by spaces or commas"));
    m_where->setPlaceholderText(tr("where, e.g. instrument = 'LSSTCam' AND exposure.exposure_time > 20"));
    m_where->setAccessibleName(tr("Where expression"));
    m_apply->setText(tr("&Apply"));
    m_apply->setAccessibleName(tr("Apply filter"));
    m_error->setAccessibleName(tr("Where expression error"));
    m_typesLabel->setText(tr("&Types:"));
    m_whereLabel->setText(tr("&Where:"));
}

void DatasetFilterBar::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        // The error under the expression is said again in the new language.
        if (!m_valid)
            validate();
    }
    QWidget::changeEvent(event);
}

void DatasetFilterBar::setUniverse(const DimensionUniverse* universe)
{
    m_universe = universe;
    validate();
}

QStringList DatasetFilterBar::datasetTypeGlobs() const
{
    QString text = m_types->text();
    text.replace(QLatin1Char(','), QLatin1Char(' '));
    return text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QString DatasetFilterBar::where() const
{
    return m_where->text().trimmed();
}

void DatasetFilterBar::setWhere(const QString& where)
{
    m_where->setText(where);
    apply();
}

QString DatasetFilterBar::errorText() const
{
    return m_error->isVisible() || !m_valid ? m_error->text() : QString();
}

void DatasetFilterBar::validate()
{
    WhereValidation verdict;
    if (m_universe)
        verdict = validateWhere(*m_universe, m_where->text());
    m_valid = verdict.ok;
    m_apply->setEnabled(m_valid);
    if (m_valid) {
        m_error->clear();
        m_error->hide();
        m_where->setStyleSheet(QString());
        return;
    }
    // A caret under the offending character, then the message.
    const int position = qBound(0, verdict.position, int(m_where->text().size()));
    m_error->setText(QString(position, QLatin1Char(' ')) + QStringLiteral("^ ") + verdict.message);
    m_error->show();
    m_where->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #b00020; }"));
}

void DatasetFilterBar::apply()
{
    validate();
    if (!m_valid)
        return;
    emit filterApplied(datasetTypeGlobs(), where());
}

} // namespace butler
