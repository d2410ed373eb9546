#include "Jwks.h"

#include "Base64Url.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>

Q_LOGGING_CATEGORY(lcJwks, "butler.auth.jwks")

namespace butler {

namespace {

constexpr int MinRsaBits = 2048;
constexpr int MaxRsaBits = 8192;

struct BnFree
{
    void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct ParamBldFree
{
    void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree
{
    void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree
{
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::shared_ptr<evp_pkey_st> adopt(EVP_PKEY* key)
{
    return std::shared_ptr<evp_pkey_st>(key, [](EVP_PKEY* k) { EVP_PKEY_free(k); });
}

Result<QByteArray> member(const QJsonObject& jwk, const char* name)
{
    const QJsonValue value = jwk.value(QLatin1String(name));
    if (!value.isString())
        return invalidInput(QStringLiteral("\"%1\" is missing or not a string").arg(QLatin1String(name)));
    auto decoded = Base64Url::decode(value.toString().toLatin1());
    if (!decoded || decoded->isEmpty())
        return invalidInput(QStringLiteral("\"%1\" is not base64url").arg(QLatin1String(name)));
    return *decoded;
}

Result<std::shared_ptr<evp_pkey_st>> fromData(const char* type, OSSL_PARAM_BLD* bld)
{
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0)
        return internalError(QStringLiteral("OpenSSL cannot build %1 keys").arg(QLatin1String(type)));
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0 || !key)
        return invalidInput(QStringLiteral("not a valid %1 public key").arg(QLatin1String(type)));
    return adopt(key);
}

Result<std::shared_ptr<evp_pkey_st>> rsaKey(const QJsonObject& jwk)
{
    BUTLER_ASSIGN_OR_RETURN(const QByteArray n, member(jwk, "n"));
    BUTLER_ASSIGN_OR_RETURN(const QByteArray e, member(jwk, "e"));
    std::unique_ptr<BIGNUM, BnFree> bnN(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n.constData()), int(n.size()), nullptr));
    std::unique_ptr<BIGNUM, BnFree> bnE(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e.constData()), int(e.size()), nullptr));
    if (!bnN || !bnE)
        return internalError(QStringLiteral("out of memory"));
    const int bits = BN_num_bits(bnN.get());
    if (bits < MinRsaBits || bits > MaxRsaBits)
        return invalidInput(QStringLiteral("RSA modulus of %1 bits (%2 to %3 accepted)")
                                .arg(bits)
                                .arg(MinRsaBits)
                                .arg(MaxRsaBits));
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get()))
        return internalError(QStringLiteral("out of memory"));
    return fromData("RSA", bld.get());
}

Result<std::shared_ptr<evp_pkey_st>> ecKey(const QJsonObject& jwk)
{
    if (jwk.value(QLatin1String("crv")).toString() != QLatin1String("P-256"))
        return invalidInput(QStringLiteral("curve \"%1\" is not supported (only P-256)")
                                .arg(jwk.value(QLatin1String("crv")).toString()));
    BUTLER_ASSIGN_OR_RETURN(const QByteArray x, member(jwk, "x"));
    BUTLER_ASSIGN_OR_RETURN(const QByteArray y, member(jwk, "y"));
    if (x.size() != 32 || y.size() != 32)
        return invalidInput(QStringLiteral("P-256 coordinates must be 32 bytes each"));
    // An uncompressed SEC1 point; OpenSSL rejects points that are not on the curve.
    QByteArray point = QByteArray(1, '\x04') + x + y;
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                          size_t(point.size())))
        return internalError(QStringLiteral("out of memory"));
    return fromData("EC", bld.get());
}

} // namespace

Result<Jwks> Jwks::parse(const QByteArray& json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalidInput(QStringLiteral("JWKS is not JSON: %1").arg(parseError.errorString()));
    if (!doc.isObject() || !doc.object().value(QLatin1String("keys")).isArray())
        return invalidInput(QStringLiteral("JWKS has no \"keys\" array"));

    Jwks jwks;
    const QJsonArray keys = doc.object().value(QLatin1String("keys")).toArray();
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const QJsonObject jwk = keys.at(i).toObject();
        const QString kty = jwk.value(QLatin1String("kty")).toString();
        const QString kid = jwk.value(QLatin1String("kid")).toString();
        const QString use = jwk.value(QLatin1String("use")).toString(QStringLiteral("sig"));
        if (use != QLatin1String("sig"))
            continue;
        if (jwk.contains(QLatin1String("key_ops")) &&
            !jwk.value(QLatin1String("key_ops")).toArray().contains(QJsonValue(QStringLiteral("verify"))))
            continue;
        if (kty != QLatin1String("RSA") && kty != QLatin1String("EC"))
            continue;
        auto key = kty == QLatin1String("RSA") ? rsaKey(jwk) : ecKey(jwk);
        if (!key) {
            qCWarning(lcJwks).noquote() << QStringLiteral("JWKS key %1 (kid \"%2\") skipped: %3")
                                               .arg(i)
                                               .arg(kid, key.error().message());
            continue;
        }
        jwks.m_keys.append(JwksKey{kid, kty, jwk.value(QLatin1String("alg")).toString(), std::move(*key)});
    }
    return jwks;
}

const JwksKey* Jwks::find(const QString& kid, const QString& kty) const
{
    for (const JwksKey& key : m_keys) {
        if (key.kid == kid && key.kty == kty)
            return &key;
    }
    return nullptr;
}

bool Jwks::contains(const QString& kid) const
{
    return std::any_of(m_keys.begin(), m_keys.end(), [&](const JwksKey& key) { return key.kid == kid; });
}

const JwksKey* Jwks::soleKey(const QString& kty) const
{
    const JwksKey* found = nullptr;
    for (const JwksKey& key : m_keys) {
        if (key.kty != kty)
            continue;
        if (found)
            return nullptr;
        found = &key;
    }
    return found;
}

QStringList Jwks::keyIds() const
{
    QStringList ids;
    for (const JwksKey& key : m_keys)
        ids.append(key.kid);
    return ids;
}

} // namespace butler
