#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>

class QSettings;

namespace butler {

// One repository the user opened: a server repository URL or a local repository folder.
struct RecentRepository
{
    QString label;
    QString location;
    QDateTime lastOpened;
};

// The repositories opened lately, most recent first, kept in QSettings under
// "recentRepositories". Opening one again moves it to the front instead of adding a copy
// (locations compare after trimming, trailing slashes and, for folders, path cleaning), and
// only the MaxEntries most recent are kept.
class RecentRepositories
{
public:
    static constexpr int MaxEntries = 10;

    // The application's QSettings.
    RecentRepositories();
    // Uses settings, which must outlive this object (tests pass one on a temporary file).
    explicit RecentRepositories(QSettings* settings);
    ~RecentRepositories();

    QList<RecentRepository> entries() const;
    // Puts the repository first; an empty label keeps the one it had, else names it after the location.
    void add(const QString& label, const QString& location,
             const QDateTime& opened = QDateTime::currentDateTimeUtc());
    void remove(const QString& location);
    void clear();

    // The form locations are compared and stored in.
    static QString normalizeLocation(const QString& location);

private:
    void write(const QList<RecentRepository>& entries);

    std::unique_ptr<QSettings> m_ownSettings;
    QSettings* m_settings;
};

} // namespace butler
