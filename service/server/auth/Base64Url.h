#pragma once

#include <QByteArray>

#include <optional>

namespace butler {

// base64url without padding (RFC 7515 §2), as JWS and JWK use it. Decoding is strict: only the
// URL-safe alphabet, no '=' padding, no whitespace and no non-zero spare bits, so every value
// has exactly one encoding and a token cannot be altered without changing its bytes.
class Base64Url
{
public:
    static QByteArray encode(const QByteArray& data);
    static std::optional<QByteArray> decode(QByteArrayView text);
};

} // namespace butler
