#include "FileHasher.h"

#include "ContentHash.h"

#include <algorithm>

namespace butler {

FileHasher::FileHasher(QList<QString> paths, int threads, ContentHash::Kind kind)
    : m_paths(std::move(paths))
    , m_kind(kind)
    , m_digests(size_t(m_paths.size()))
    , m_sizes(size_t(m_paths.size()), 0)
    , m_errors(size_t(m_paths.size()))
{
    const int count = int(std::clamp<qsizetype>(m_paths.size(), 0, std::max(1, threads)));
    m_threads.reserve(size_t(count));
    for (int t = 0; t < count; ++t)
        m_threads.emplace_back([this] { work(); });
}

FileHasher::~FileHasher()
{
    m_stop.store(true);
    for (std::thread& thread : m_threads) {
        if (thread.joinable())
            thread.join();
    }
}

void FileHasher::work()
{
    // Only const access to m_paths: operator[] would detach the list the caller still shares,
    // from several threads at once.
    for (qsizetype i = m_next++; i < m_paths.size() && !m_stop.load(); i = m_next++) {
        Result<QString> digest = ContentHash::ofFile(m_kind, m_paths.at(i), &m_sizes[size_t(i)]);
        if (!digest) {
            m_errors[size_t(i)] = digest.error();
            m_stop.store(true);
            return;
        }
        m_digests[size_t(i)] = std::move(digest).value();
    }
}

Status FileHasher::wait()
{
    for (std::thread& thread : m_threads) {
        if (thread.joinable())
            thread.join();
    }
    for (const std::optional<Error>& error : m_errors) {
        if (error)
            return *error;
    }
    return {};
}

} // namespace butler
