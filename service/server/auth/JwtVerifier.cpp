#include "JwtVerifier.h"

#include "Base64Url.h"
#include "Jwks.h"
#include "JwksSource.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <cmath>
#include <memory>

namespace butler {

namespace {

Error unauthenticated(const QString& message)
{
    return Error(ErrorKind::Unauthenticated, message);
}

Result<QJsonObject> jsonPart(QByteArrayView part, const char* what)
{
    auto bytes = Base64Url::decode(part);
    if (!bytes)
        return unauthenticated(QStringLiteral("token %1 is not base64url").arg(QLatin1String(what)));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return unauthenticated(QStringLiteral("token %1 is not a JSON object").arg(QLatin1String(what)));
    return doc.object();
}

// JWS ES256 signatures are r||s, 32 bytes each; OpenSSL verifies DER-encoded ECDSA-Sig-Value.
std::optional<QByteArray> es256ToDer(const QByteArray& raw)
{
    if (raw.size() != 64)
        return std::nullopt;
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.constData());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
    BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
    BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
    if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0)
        return std::nullopt;
    QByteArray result(reinterpret_cast<const char*>(der), length);
    OPENSSL_free(der);
    return result;
}

bool verifySha256(EVP_PKEY* key, const QByteArray& signature, const QByteArray& data)
{
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.constData()),
                            size_t(signature.size()),
                            reinterpret_cast<const unsigned char*>(data.constData()),
                            size_t(data.size())) == 1;
}

QString ktyFor(const QString& alg)
{
    return alg == QLatin1String("RS256") ? QStringLiteral("RSA") : QStringLiteral("EC");
}

} // namespace

JwtVerifier::JwtVerifier(Options options, AuthClock clock)
    : m_options(std::move(options))
    , m_clock(std::move(clock))
{
}

bool JwtVerifier::looksLikeJwt(QByteArrayView token)
{
    return token.count('.') == 2;
}

Result<JwtVerifier::Decoded> JwtVerifier::decode(const QByteArray& token) const
{
    if (token.size() > m_options.maxTokenBytes)
        return unauthenticated(QStringLiteral("token too long (%1 bytes, at most %2)")
                                   .arg(token.size())
                                   .arg(m_options.maxTokenBytes));
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (firstDot <= 0 || secondDot <= firstDot + 1 || token.indexOf('.', secondDot + 1) >= 0)
        return unauthenticated(QStringLiteral("token is not a JWT (three base64url parts expected)"));

    const QByteArrayView view(token);
    Decoded decoded;
    BUTLER_ASSIGN_OR_RETURN(decoded.header, jsonPart(view.first(firstDot), "header"));

    const QJsonValue alg = decoded.header.value(QLatin1String("alg"));
    if (!alg.isString())
        return unauthenticated(QStringLiteral("token header has no signing algorithm"));
    decoded.alg = alg.toString();
    if (decoded.alg != QLatin1String("RS256") && decoded.alg != QLatin1String("ES256"))
        return unauthenticated(
            QStringLiteral("token signing algorithm \"%1\" is not accepted (RS256 or ES256)")
                .arg(decoded.alg.left(16)));
    if (decoded.header.contains(QLatin1String("crit")))
        return unauthenticated(QStringLiteral("token header has critical extensions"));
    if (decoded.header.contains(QLatin1String("typ"))) {
        const QString typ = decoded.header.value(QLatin1String("typ")).toString().toLower();
        if (typ != QLatin1String("jwt") && typ != QLatin1String("at+jwt") &&
            typ != QLatin1String("application/at+jwt"))
            return unauthenticated(QStringLiteral("token type is not JWT or at+jwt"));
    }
    const QJsonValue kid = decoded.header.value(QLatin1String("kid"));
    if (!kid.isUndefined() && !kid.isString())
        return unauthenticated(QStringLiteral("token key id is not a string"));
    decoded.kid = kid.toString();

    BUTLER_ASSIGN_OR_RETURN(decoded.claims,
                            jsonPart(view.sliced(firstDot + 1, secondDot - firstDot - 1), "claims"));
    auto signature = Base64Url::decode(view.sliced(secondDot + 1));
    if (!signature)
        return unauthenticated(QStringLiteral("token signature is not base64url"));
    // Checked after the algorithm, so that an unsigned "alg: none" token is named as such.
    if (signature->isEmpty())
        return unauthenticated(QStringLiteral("token has no signature"));
    decoded.signature = std::move(*signature);
    decoded.signingInput = token.first(secondDot);
    return decoded;
}

Status JwtVerifier::verifySignature(const Decoded& decoded, const Jwks& keys) const
{
    const QString kty = ktyFor(decoded.alg);
    const JwksKey* key = decoded.kid.isEmpty() ? keys.soleKey(kty) : keys.find(decoded.kid, kty);
    if (!key) {
        if (decoded.kid.isEmpty())
            return unauthenticated(
                QStringLiteral("token has no key id and the issuer has not exactly one %1 key").arg(kty));
        if (keys.contains(decoded.kid))
            return unauthenticated(QStringLiteral("signing key \"%1\" does not fit %2 (an %3 key is needed)")
                                       .arg(decoded.kid.left(64), decoded.alg, kty));
        return unauthenticated(QStringLiteral("unknown signing key \"%1\"").arg(decoded.kid.left(64)));
    }
    if (!key->alg.isEmpty() && key->alg != decoded.alg)
        return unauthenticated(QStringLiteral("signing key \"%1\" is for %2, not %3")
                                   .arg(decoded.kid.left(64), key->alg, decoded.alg));

    QByteArray signature = decoded.signature;
    if (decoded.alg == QLatin1String("ES256")) {
        auto der = es256ToDer(decoded.signature);
        if (!der)
            return unauthenticated(QStringLiteral("bad token signature (ES256 needs 64 bytes)"));
        signature = std::move(*der);
    }
    if (!verifySha256(key->key.get(), signature, decoded.signingInput))
        return unauthenticated(QStringLiteral("bad token signature"));
    return {};
}

Status JwtVerifier::checkClaims(const QJsonObject& claims) const
{
    const double now = double(m_clock()) / 1000.0;
    const double skew = double(m_options.clockSkewSeconds);

    const QJsonValue exp = claims.value(QLatin1String("exp"));
    if (exp.isUndefined())
        return unauthenticated(QStringLiteral("token has no expiry time (exp)"));
    if (!exp.isDouble() || !std::isfinite(exp.toDouble()))
        return unauthenticated(QStringLiteral("token expiry time (exp) is not a number"));
    if (now >= exp.toDouble() + skew)
        return unauthenticated(QStringLiteral("token expired"));

    const QJsonValue nbf = claims.value(QLatin1String("nbf"));
    if (!nbf.isUndefined()) {
        if (!nbf.isDouble())
            return unauthenticated(QStringLiteral("token start time (nbf) is not a number"));
        if (now + skew < nbf.toDouble())
            return unauthenticated(QStringLiteral("token not yet valid"));
    }
    const QJsonValue iat = claims.value(QLatin1String("iat"));
    if (!iat.isUndefined()) {
        if (!iat.isDouble())
            return unauthenticated(QStringLiteral("token issue time (iat) is not a number"));
        if (now + skew < iat.toDouble())
            return unauthenticated(QStringLiteral("token issued in the future"));
    }

    if (claims.value(QLatin1String("iss")).toString() != m_options.issuer)
        return unauthenticated(QStringLiteral("issuer mismatch"));

    const QJsonValue aud = claims.value(QLatin1String("aud"));
    const bool audienceOk = aud.isArray() ? aud.toArray().contains(QJsonValue(m_options.audience))
                                          : aud.isString() && aud.toString() == m_options.audience;
    if (!audienceOk)
        return unauthenticated(QStringLiteral("audience mismatch"));
    return {};
}

Result<QJsonObject> JwtVerifier::verify(const QByteArray& token, const Jwks& keys) const
{
    BUTLER_ASSIGN_OR_RETURN(Decoded decoded, decode(token));
    BUTLER_TRY(verifySignature(decoded, keys));
    BUTLER_TRY(checkClaims(decoded.claims));
    return std::move(decoded.claims);
}

QCoro::Task<Result<QJsonObject>> JwtVerifier::verify(QByteArray token, JwksSource& source) const
{
    auto decoded = decode(token);
    if (!decoded)
        co_return decoded.error();
    std::shared_ptr<const Jwks> keys = source.keys();
    if (!keys || !decoded->kid.isEmpty()) {
        auto fetched = co_await source.keysFor(decoded->kid);
        if (!fetched)
            co_return fetched.error();
        keys = std::move(*fetched);
    }
    if (const Status signature = verifySignature(*decoded, *keys); !signature)
        co_return signature.error();
    if (const Status claims = checkClaims(decoded->claims); !claims)
        co_return claims.error();
    co_return std::move(decoded->claims);
}

} // namespace butler
