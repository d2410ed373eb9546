#pragma once

// Test helper: signing keys made on the spot and JWTs minted with them, with any header and
// claims, including the forged kinds a verifier must refuse (alg none, HS256). Header-only;
// links against OpenSSL's libcrypto, which the auth library brings along.
//
//   auto key = TokenMinter::Key::rsa();                       // or Key::ec() for P-256
//   QFile(jwksPath).write(TokenMinter::jwks({key.publicJwk("k1")}));
//   QByteArray token = TokenMinter::mint(key, "k1", TokenMinter::claims(issuer, audience, "alice",
//                                                                       {"astro"}, 3600));

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

namespace butler::test {

class TokenMinter
{
public:
    // An RSA 2048 or EC P-256 key pair.
    class Key
    {
    public:
        static Key rsa(int bits = 2048) { return Key(EVP_RSA_gen(static_cast<unsigned>(bits)), "RSA"); }
        static Key ec() { return Key(EVP_EC_gen("P-256"), "EC"); }

        const QString& kty() const { return m_kty; }
        QString alg() const
        {
            return m_kty == QLatin1String("RSA") ? QStringLiteral("RS256") : QStringLiteral("ES256");
        }
        EVP_PKEY* pkey() const { return m_key.get(); }

        // The public JWK, with use "sig" and the matching alg unless alg is given as "" (left out).
        QJsonObject publicJwk(const QString& kid, const QString& alg = QStringLiteral("auto")) const
        {
            QJsonObject jwk{{"kty", m_kty}, {"kid", kid}, {"use", "sig"}};
            if (alg == QLatin1String("auto"))
                jwk.insert("alg", this->alg());
            else if (!alg.isEmpty())
                jwk.insert("alg", alg);
            if (m_kty == QLatin1String("RSA")) {
                jwk.insert("n", QString::fromLatin1(b64(bnParam(OSSL_PKEY_PARAM_RSA_N, 0))));
                jwk.insert("e", QString::fromLatin1(b64(bnParam(OSSL_PKEY_PARAM_RSA_E, 0))));
            } else {
                jwk.insert("crv", "P-256");
                jwk.insert("x", QString::fromLatin1(b64(bnParam(OSSL_PKEY_PARAM_EC_PUB_X, 32))));
                jwk.insert("y", QString::fromLatin1(b64(bnParam(OSSL_PKEY_PARAM_EC_PUB_Y, 32))));
            }
            return jwk;
        }

        // The public key as PEM (SubjectPublicKeyInfo), the classic HMAC-confusion "secret".
        QByteArray publicPem() const
        {
            std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
            PEM_write_bio_PUBKEY(bio.get(), m_key.get());
            char* data = nullptr;
            const long size = BIO_get_mem_data(bio.get(), &data);
            return QByteArray(data, int(size));
        }

        // A JWS signature of input: PKCS#1 v1.5 for RSA, raw r||s (64 bytes) for EC.
        QByteArray sign(const QByteArray& input) const
        {
            std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
            size_t length = 0;
            if (EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, m_key.get(), nullptr) !=
                    1 ||
                EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input), size_t(input.size())) != 1)
                throw std::runtime_error("cannot sign");
            QByteArray signature(qsizetype(length), '\0');
            if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                               bytes(input), size_t(input.size())) != 1)
                throw std::runtime_error("cannot sign");
            signature.resize(qsizetype(length));
            if (m_kty == QLatin1String("RSA"))
                return signature;
            const unsigned char* der = bytes(signature);
            std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
                d2i_ECDSA_SIG(nullptr, &der, long(length)), &ECDSA_SIG_free);
            QByteArray raw(64, '\0');
            BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(raw.data()), 32);
            BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
            return raw;
        }

    private:
        Key(EVP_PKEY* key, const char* kty)
            : m_key(key, &EVP_PKEY_free)
            , m_kty(QString::fromLatin1(kty))
        {
            if (!key)
                throw std::runtime_error("cannot generate a key");
        }

        QByteArray bnParam(const char* name, int padTo) const
        {
            BIGNUM* bn = nullptr;
            EVP_PKEY_get_bn_param(m_key.get(), name, &bn);
            QByteArray out(padTo > 0 ? padTo : BN_num_bytes(bn), '\0');
            BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), int(out.size()));
            BN_free(bn);
            return out;
        }

        std::shared_ptr<EVP_PKEY> m_key;
        QString m_kty;
    };

    static QByteArray b64(const QByteArray& data)
    {
        return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    }
    static QByteArray json(const QJsonObject& object)
    {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    }

    static qint64 now() { return QDateTime::currentSecsSinceEpoch(); }

    // Typical access-token claims: iss, aud, preferred_username, groups, iat now, exp in lifetime s.
    static QJsonObject claims(const QString& issuer, const QString& audience, const QString& user,
                              const QStringList& groups, qint64 lifetime = 3600)
    {
        return QJsonObject{{"iss", issuer},
                           {"aud", audience},
                           {"sub", user},
                           {"preferred_username", user},
                           {"groups", QJsonArray::fromStringList(groups)},
                           {"iat", now()},
                           {"exp", now() + lifetime}};
    }

    // header.payload from JSON values (any JSON, or raw bytes with mintRaw).
    static QByteArray signingInput(const QJsonObject& header, const QJsonObject& claims)
    {
        return b64(json(header)) + '.' + b64(json(claims));
    }

    // A token signed with key; header gets alg (from the key), typ at+jwt and kid unless given.
    // A null value in header leaves that member out ({"typ", QJsonValue()}: no typ).
    static QByteArray mint(const Key& key, const QString& kid, const QJsonObject& claims,
                           QJsonObject header = QJsonObject())
    {
        if (!header.contains("alg"))
            header.insert("alg", key.alg());
        if (!header.contains("typ"))
            header.insert("typ", "at+jwt");
        if (!header.contains("kid") && !kid.isEmpty())
            header.insert("kid", kid);
        const QByteArray input = signingInput(withoutNulls(header), claims);
        return input + '.' + b64(key.sign(input));
    }

    // Raw header and payload bytes (not necessarily JSON), signed with key as they are.
    static QByteArray mintRaw(const Key& key, const QByteArray& header, const QByteArray& payload)
    {
        const QByteArray input = b64(header) + '.' + b64(payload);
        return input + '.' + b64(key.sign(input));
    }

    // HS256 with any secret (for instance a public key's PEM: the algorithm-confusion attack).
    static QByteArray mintHs256(const QByteArray& secret, const QJsonObject& claims, QJsonObject header = {})
    {
        if (!header.contains("alg"))
            header.insert("alg", "HS256");
        if (!header.contains("typ"))
            header.insert("typ", "JWT");
        const QByteArray input = signingInput(withoutNulls(header), claims);
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        HMAC(EVP_sha256(), secret.constData(), int(secret.size()), bytes(input), size_t(input.size()), mac,
             &length);
        return input + '.' + b64(QByteArray(reinterpret_cast<const char*>(mac), int(length)));
    }

    // alg none: header.payload. with an empty signature.
    static QByteArray mintNone(const QJsonObject& claims, QJsonObject header = {})
    {
        if (!header.contains("alg"))
            header.insert("alg", "none");
        return signingInput(withoutNulls(header), claims) + '.';
    }

    static QByteArray jwks(const QList<QJsonObject>& keys)
    {
        QJsonArray array;
        for (const QJsonObject& key : keys)
            array.append(key);
        return json(QJsonObject{{"keys", array}});
    }

private:
    static QJsonObject withoutNulls(QJsonObject object)
    {
        for (auto it = object.begin(); it != object.end();)
            it = it.value().isNull() ? object.erase(it) : it + 1;
        return object;
    }
    static const unsigned char* bytes(const QByteArray& data)
    {
        return reinterpret_cast<const unsigned char*>(data.constData());
    }
};

} // namespace butler::test
