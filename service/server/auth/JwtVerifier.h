#pragma once

#include "AuthClock.h"
#include "Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <QCoroTask>

namespace butler {

class Jwks;
class JwksSource;

// Checks compact JWS access tokens (RFC 7515, 7519, 9068) signed with RS256 or ES256. The
// algorithm comes from an allow-list and must fit the key's type, so "none", HMAC (with the
// public key as secret or otherwise) and every other algorithm are refused. iss and aud must
// match, exp is required, nbf and iat are honoured with a clock skew. Errors are
// Unauthenticated and say what is wrong without echoing the token.
class JwtVerifier
{
public:
    struct Options
    {
        QString issuer;
        QString audience;
        qint64 clockSkewSeconds = 60;
        qsizetype maxTokenBytes = 16 * 1024;
    };

    // The parts of a token whose structure, header and algorithm passed; nothing verified yet.
    struct Decoded
    {
        QString alg; // RS256 or ES256
        QString kid; // may be empty
        QJsonObject header;
        QJsonObject claims;
        QByteArray signingInput; // header.payload, as signed
        QByteArray signature;
    };

    explicit JwtVerifier(Options options, AuthClock clock = systemAuthClock());

    // Three dot-separated parts: the shape of a JWS, whatever is inside.
    static bool looksLikeJwt(QByteArrayView token);

    Result<Decoded> decode(const QByteArray& token) const;
    Status verifySignature(const Decoded& decoded, const Jwks& keys) const;
    Status checkClaims(const QJsonObject& claims) const;

    // decode, verifySignature and checkClaims in one; gives the claims.
    Result<QJsonObject> verify(const QByteArray& token, const Jwks& keys) const;
    // The same with keys from source, which is refreshed first when it lacks the token's kid.
    QCoro::Task<Result<QJsonObject>> verify(QByteArray token, JwksSource& source) const;

    const Options& options() const { return m_options; }

private:
    Options m_options;
    AuthClock m_clock;
};

} // namespace butler
