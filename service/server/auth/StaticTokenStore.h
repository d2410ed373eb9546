#pragma once

#include "Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace butler {

// One entry of the static token file.
struct StaticToken
{
    QByteArray sha256; // 32 raw bytes: the SHA-256 of the token
    QString user;
    QStringList groups;
};

// The static tokens of the embedded/dev mode: a YAML list of
//   - {token_sha256: <64 hex digits>, user: alice, groups: [astro]}
// Only hashes are stored, so the file gives no token away. Lookups compare the hash against
// every entry in constant time.
class StaticTokenStore
{
public:
    // Errors (InvalidInput) list every malformed entry, one per line, with its number and line.
    static Result<StaticTokenStore> load(const QString& path);
    static Result<StaticTokenStore> parse(const QByteArray& yaml, const QString& origin);

    // The entry for a token with this SHA-256 (32 raw bytes), or nullptr.
    const StaticToken* find(const QByteArray& sha256) const;

    qsizetype size() const { return m_tokens.size(); }
    bool isEmpty() const { return m_tokens.isEmpty(); }

private:
    QList<StaticToken> m_tokens;
};

} // namespace butler
