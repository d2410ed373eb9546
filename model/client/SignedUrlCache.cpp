#include "SignedUrlCache.h"

namespace butler {

bool SignedUrlCache::usable(const Entry& entry, qint64 nowUnix) const
{
    // Without an expiry the server's default life is unknown: trusted only while young.
    const bool lives =
        !entry.file.expires.isValid() || entry.file.expires.toSecsSinceEpoch() - nowUnix >= kMinLifeSeconds;
    return lives && nowUnix - entry.fetchedAt <= kMaxAgeSeconds;
}

void SignedUrlCache::store(const QList<SignedFileInfo>& files, qint64 nowUnix)
{
    std::lock_guard lock(m_mutex);
    if (m_entries.size() + files.size() > kMaxEntries) {
        for (auto it = m_entries.begin(); it != m_entries.end();)
            it = usable(it.value(), nowUnix) ? std::next(it) : m_entries.erase(it);
        if (m_entries.size() + files.size() > kMaxEntries)
            m_entries.clear();
    }
    for (const SignedFileInfo& file : files)
        m_entries.insert(file.file.id, Entry{file, nowUnix});
}

std::optional<SignedFileInfo> SignedUrlCache::find(const QUuid& id, qint64 nowUnix) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.constFind(id);
    if (it == m_entries.constEnd() || !usable(*it, nowUnix))
        return std::nullopt;
    return it->file;
}

void SignedUrlCache::remove(const QList<QUuid>& ids)
{
    std::lock_guard lock(m_mutex);
    for (const QUuid& id : ids)
        m_entries.remove(id);
}

void SignedUrlCache::clear()
{
    std::lock_guard lock(m_mutex);
    m_entries.clear();
}

qsizetype SignedUrlCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

} // namespace butler
