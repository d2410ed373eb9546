// HmacSha256 gives RFC 4231's MACs and OpenSSL's HMAC() for keys shorter than, as long as and
// longer than a block, also when one instance is used from several threads at once.
#include "HmacSha256.h"

#include <QTest>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace butler;

namespace {

QByteArray opensslHmac(const QByteArray& key, const QByteArray& message)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.constData(), int(key.size()),
         reinterpret_cast<const unsigned char*>(message.constData()), size_t(message.size()), out, &length);
    return QByteArray(reinterpret_cast<const char*>(out), int(length));
}

QByteArray pattern(int seed, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = char((i * 31 + seed * 7 + 3) & 0xff);
    return bytes;
}

} // namespace

class TestHmacSha256 : public QObject
{
    Q_OBJECT

private slots:
    void rfc4231_data();
    void rfc4231();
    void matchesOpenSslForEveryKeyLength();
    void sharedAcrossThreads();
};

void TestHmacSha256::rfc4231_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("case 1") << QByteArray(20, '\x0b') << QByteArray("Hi There")
                            << QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    QTest::newRow("case 2") << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
                            << QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    QTest::newRow("case 6, key longer than a block")
        << QByteArray(131, '\xaa') << QByteArray("Test Using Larger Than Block-Size Key - Hash Key First")
        << QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

void TestHmacSha256::rfc4231()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, expected);
    QCOMPARE(HmacSha256(key).mac(message).toHex(), expected);
}

void TestHmacSha256::matchesOpenSslForEveryKeyLength()
{
    for (int keySize = 0; keySize <= 150; ++keySize) {
        const QByteArray key = pattern(keySize, keySize);
        const HmacSha256 hmac(key);
        for (int messageSize : {0, 1, 55, 64, 65, 200}) {
            const QByteArray message = pattern(messageSize + 1000, messageSize);
            QCOMPARE(hmac.mac(message), opensslHmac(key, message));
        }
    }
    // Copies share the key and give the same MACs.
    const HmacSha256 original(pattern(1, 48));
    const HmacSha256 copy = original;
    QCOMPARE(copy.mac("message"), original.mac("message"));
    QVERIFY(HmacSha256(pattern(2, 48)).mac("message") != original.mac("message"));
}

void TestHmacSha256::sharedAcrossThreads()
{
    const QByteArray key = pattern(9, 48);
    const HmacSha256 hmac(key);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const QByteArray message = pattern(t * 1000 + i, 40 + i % 50);
                if (hmac.mac(message) != opensslHmac(key, message))
                    ++wrong;
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    QCOMPARE(wrong.load(), 0);
}

QTEST_GUILESS_MAIN(TestHmacSha256)
#include "tst_hmacsha256.moc"
