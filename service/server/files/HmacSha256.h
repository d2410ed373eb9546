#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace butler {

// HMAC-SHA256 under one key whose padded key blocks are hashed once, here: a MAC then costs two
// copies of a hashing state and the hashing of the message. OpenSSL's one-shot HMAC() looks
// the algorithms up anew on every call, which was most of the cost of signing or checking an
// upload URL. Copies share the state; mac() may be called from any number of threads.
class HmacSha256
{
public:
    explicit HmacSha256(const QByteArray& key);

    // The 32-byte MAC, or empty if OpenSSL failed.
    QByteArray mac(QByteArrayView message) const;

private:
    struct State;
    std::shared_ptr<const State> m_state;
};

} // namespace butler
