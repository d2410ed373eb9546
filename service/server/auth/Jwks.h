#pragma once

#include "Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

struct evp_pkey_st; // EVP_PKEY, kept out of this header so users need no OpenSSL includes

namespace butler {

// One public signing key of a JWKS.
struct JwksKey
{
    QString kid;
    QString kty; // "RSA" or "EC" (always P-256)
    QString alg; // the JWK's "alg", empty when the key does not name one
    std::shared_ptr<evp_pkey_st> key;
};

// A JSON Web Key Set (RFC 7517) turned into OpenSSL public keys. Only RSA keys and EC keys on
// P-256 are kept; keys marked for another use than "sig", keys of other types and malformed
// keys are skipped (with a warning for the malformed ones), so one odd key cannot take down
// the whole set. Immutable once parsed, so threads may share it freely.
class Jwks
{
public:
    static Result<Jwks> parse(const QByteArray& json);

    // The key with this kid whose type fits kty, or nullptr.
    const JwksKey* find(const QString& kid, const QString& kty) const;
    bool contains(const QString& kid) const;
    // The only key of type kty, for tokens without a kid; nullptr when there are none or several.
    const JwksKey* soleKey(const QString& kty) const;

    qsizetype size() const { return m_keys.size(); }
    QStringList keyIds() const;

private:
    QList<JwksKey> m_keys;
};

} // namespace butler
