#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

class QIODevice;

namespace butler {

// SHA-256 through OpenSSL, which uses the CPU's SHA extensions: QCryptographicHash's own code
// costs about 80 instructions a byte, as much as writing a small file, and made checksums the
// larger part of a put and of an ingest's copy.
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void addData(QByteArrayView data);
    // Reads the device to its end in pieces; false on a read error.
    bool addData(QIODevice* device);
    // The 32-byte digest; the hash starts afresh afterwards.
    QByteArray result();

    static QByteArray hash(QByteArrayView data);

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

} // namespace butler
