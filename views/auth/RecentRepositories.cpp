#include "RecentRepositories.h"

#include <QDir>
#include <QSettings>
#include <QUrl>

namespace butler {

namespace {

const QString kArray = QStringLiteral("recentRepositories");
const QString kLabel = QStringLiteral("label");
const QString kLocation = QStringLiteral("location");
const QString kLastOpened = QStringLiteral("lastOpened");

} // namespace

RecentRepositories::RecentRepositories()
    : m_ownSettings(std::make_unique<QSettings>())
    , m_settings(m_ownSettings.get())
{
}

RecentRepositories::RecentRepositories(QSettings* settings)
    : m_settings(settings)
{
}

RecentRepositories::~RecentRepositories() = default;

QString RecentRepositories::normalizeLocation(const QString& location)
{
    const QString text = location.trimmed();
    const QUrl url(text);
    // A one-letter scheme is a Windows drive, not a URL.
    if (url.scheme().size() > 1 && !url.host().isEmpty() && !url.isLocalFile()) {
        QUrl normalized = url.adjusted(QUrl::NormalizePathSegments | QUrl::StripTrailingSlash);
        normalized.setScheme(url.scheme().toLower());
        normalized.setHost(url.host().toLower());
        return normalized.toString();
    }
    const QString path = url.isLocalFile() ? url.toLocalFile() : text;
    if (path.isEmpty())
        return path;
    return QDir::cleanPath(QDir::fromNativeSeparators(path));
}

QList<RecentRepository> RecentRepositories::entries() const
{
    QList<RecentRepository> entries;
    const int size = m_settings->beginReadArray(kArray);
    for (int i = 0; i < size && entries.size() < MaxEntries; ++i) {
        m_settings->setArrayIndex(i);
        RecentRepository entry;
        entry.label = m_settings->value(kLabel).toString();
        entry.location = m_settings->value(kLocation).toString();
        entry.lastOpened = m_settings->value(kLastOpened).toDateTime();
        if (!entry.location.isEmpty())
            entries.append(entry);
    }
    m_settings->endArray();
    return entries;
}

void RecentRepositories::add(const QString& label, const QString& location, const QDateTime& opened)
{
    const QString normalized = normalizeLocation(location);
    if (normalized.isEmpty())
        return;
    QList<RecentRepository> list = entries();
    QString keptLabel = label.trimmed();
    for (qsizetype i = list.size() - 1; i >= 0; --i) {
        if (normalizeLocation(list[i].location) != normalized)
            continue;
        if (keptLabel.isEmpty())
            keptLabel = list[i].label;
        list.removeAt(i);
    }
    if (keptLabel.isEmpty())
        keptLabel = normalized;
    list.prepend(RecentRepository{keptLabel, normalized, opened});
    while (list.size() > MaxEntries)
        list.removeLast();
    write(list);
}

void RecentRepositories::remove(const QString& location)
{
    const QString normalized = normalizeLocation(location);
    QList<RecentRepository> list = entries();
    const qsizetype removed = list.removeIf(
        [&](const RecentRepository& entry) { return normalizeLocation(entry.location) == normalized; });
    if (removed > 0)
        write(list);
}

void RecentRepositories::clear()
{
    write({});
}

void RecentRepositories::write(const QList<RecentRepository>& entries)
{
    m_settings->remove(kArray);
    m_settings->beginWriteArray(kArray, int(entries.size()));
    for (int i = 0; i < entries.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_settings->setValue(kLabel, entries[i].label);
        m_settings->setValue(kLocation, entries[i].location);
        m_settings->setValue(kLastOpened, entries[i].lastOpened);
    }
    m_settings->endArray();
}

} // namespace butler
