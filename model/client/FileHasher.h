#pragma once

#include "ContentHash.h"
#include "Result.h"

#include <QList>
#include <QString>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

namespace butler {

// The digest (SHA-256 or XXH3-128) and size of a list of files, computed on threads of its own
// from construction on, so that the caller can do something else meanwhile: RemoteUploader
// sends the files of a new run while they are hashed. Destroying it stops the hashing and joins.
class FileHasher
{
public:
    FileHasher(QList<QString> paths, int threads, ContentHash::Kind kind = ContentHash::Kind::Sha256);
    ~FileHasher();
    FileHasher(const FileHasher&) = delete;
    FileHasher& operator=(const FileHasher&) = delete;

    // Blocks until every file is hashed or one failed: then the first failure (in list order).
    Status wait();
    ContentHash::Kind kind() const { return m_kind; }
    // After wait() succeeded: hex digest and size of file i.
    const QString& digest(qsizetype i) const { return m_digests[size_t(i)]; }
    qint64 size(qsizetype i) const { return m_sizes[size_t(i)]; }

private:
    void work();

    QList<QString> m_paths;
    ContentHash::Kind m_kind;
    std::vector<QString> m_digests;
    std::vector<qint64> m_sizes;
    std::vector<std::optional<Error>> m_errors;
    std::atomic<qsizetype> m_next{0};
    std::atomic<bool> m_stop{false};
    std::vector<std::thread> m_threads;
};

} // namespace butler
