#pragma once

#include "SignedFileInfo.h"

#include <QHash>
#include <QList>
#include <QUuid>

#include <mutex>
#include <optional>

namespace butler {

// Signed download URLs the server handed out lately, by dataset ID, so that get() right after
// fileInfo() (retrieve-artifacts, a preview of a listed dataset) costs no second file-info
// request. An entry serves while its URL has at least kMinLifeSeconds left and for at most
// kMaxAgeSeconds after it was fetched; RemoteButler drops entries when it removes datasets.
// Thread-safe: a RemoteButler may be used from several threads.
class SignedUrlCache
{
public:
    static constexpr qint64 kMinLifeSeconds = 60;
    static constexpr qint64 kMaxAgeSeconds = 600;
    static constexpr qsizetype kMaxEntries = 20000;

    // nowUnix: the current time in seconds (tests pass their own).
    void store(const QList<SignedFileInfo>& files, qint64 nowUnix);
    std::optional<SignedFileInfo> find(const QUuid& id, qint64 nowUnix) const;
    void remove(const QList<QUuid>& ids);
    void clear();
    qsizetype size() const;

private:
    struct Entry
    {
        SignedFileInfo file;
        qint64 fetchedAt = 0;
    };
    bool usable(const Entry& entry, qint64 nowUnix) const;

    mutable std::mutex m_mutex;
    QHash<QUuid, Entry> m_entries;
};

} // namespace butler
