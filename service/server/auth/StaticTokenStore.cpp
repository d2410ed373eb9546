#include "StaticTokenStore.h"

#include "IdentityMapper.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSet>

#include <openssl/crypto.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

Q_LOGGING_CATEGORY(lcStaticTokens, "butler.auth.token")

namespace butler {

namespace {

constexpr qint64 MaxFileBytes = 16 << 20;

bool isHex(const QByteArray& text)
{
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

QString scalarText(const YAML::Node& node)
{
    return QString::fromStdString(node.Scalar());
}

} // namespace

Result<StaticTokenStore> StaticTokenStore::load(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read static token file %1: %2").arg(path, file.errorString()));
    if (file.size() > MaxFileBytes)
        return invalidInput(
            QStringLiteral("static token file %1 is larger than %2 bytes").arg(path).arg(MaxFileBytes));
    return parse(file.readAll(), path);
}

Result<StaticTokenStore> StaticTokenStore::parse(const QByteArray& yaml, const QString& origin)
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception& e) {
        return invalidInput(QStringLiteral("%1: line %2: not valid YAML: %3")
                                .arg(origin)
                                .arg(e.mark.line + 1)
                                .arg(QString::fromStdString(e.msg)));
    }
    StaticTokenStore store;
    if (root.IsNull())
        return store;
    if (!root.IsSequence())
        return invalidInput(
            QStringLiteral("%1: expected a list of {token_sha256, user, groups} entries").arg(origin));

    QStringList problems;
    QSet<QByteArray> seen;
    for (std::size_t i = 0; i < root.size(); ++i) {
        const YAML::Node entry = root[i];
        const QString where =
            QStringLiteral("%1: entry %2 (line %3)").arg(origin).arg(i + 1).arg(entry.Mark().line + 1);
        if (!entry.IsMap()) {
            problems.append(where + QStringLiteral(": expected a map with token_sha256, user and groups"));
            continue;
        }
        StaticToken token;
        bool ok = true;
        auto problem = [&](const QString& text) {
            problems.append(where + QStringLiteral(": ") + text);
            ok = false;
        };
        for (const auto& item : entry) {
            const QString key = scalarText(item.first);
            if (key != QLatin1String("token_sha256") && key != QLatin1String("user") &&
                key != QLatin1String("groups"))
                problem(QStringLiteral("unknown key \"%1\" (token_sha256, user, groups)").arg(key));
        }
        const YAML::Node hash = entry["token_sha256"];
        if (!hash || !hash.IsScalar()) {
            problem(QStringLiteral("token_sha256 is missing"));
        } else {
            const QByteArray hex = QByteArray::fromStdString(hash.Scalar());
            if (hex.size() != 64 || !isHex(hex)) {
                problem(QStringLiteral("token_sha256 must be 64 hex digits (the SHA-256 of the token)"));
            } else {
                token.sha256 = QByteArray::fromHex(hex);
                if (seen.contains(token.sha256))
                    problem(QStringLiteral("token_sha256 repeats an earlier entry"));
                seen.insert(token.sha256);
            }
        }
        const YAML::Node user = entry["user"];
        if (!user || !user.IsScalar() || !IdentityMapper::isValidUserName(scalarText(user)))
            problem(QStringLiteral("user must be a non-empty name without '/'"));
        else
            token.user = scalarText(user);
        const YAML::Node groups = entry["groups"];
        if (groups && !groups.IsNull()) {
            if (!groups.IsSequence()) {
                problem(QStringLiteral("groups must be a list of names"));
            } else {
                for (const YAML::Node& group : groups) {
                    if (!group.IsScalar() || group.Scalar().empty()) {
                        problem(QStringLiteral("groups must be a list of names"));
                        break;
                    }
                    token.groups.append(scalarText(group));
                }
            }
        }
        if (ok)
            store.m_tokens.append(std::move(token));
    }
    if (!problems.isEmpty())
        return invalidInput(problems.join(QLatin1Char('\n')));
    qCInfo(lcStaticTokens).noquote()
        << QStringLiteral("%1: %2 static token(s)").arg(origin).arg(store.size());
    return store;
}

const StaticToken* StaticTokenStore::find(const QByteArray& sha256) const
{
    if (sha256.size() != 32)
        return nullptr;
    // Every entry is compared, and without early exit, so timing tells nothing about the hashes.
    const StaticToken* found = nullptr;
    for (const StaticToken& token : m_tokens) {
        const bool equal = CRYPTO_memcmp(token.sha256.constData(), sha256.constData(), 32) == 0;
        found = equal ? &token : found;
    }
    return found;
}

} // namespace butler
