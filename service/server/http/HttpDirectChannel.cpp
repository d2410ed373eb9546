#include "HttpDirectChannel.h"

#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace butler {

HttpDirectChannel::HttpDirectChannel(int descriptor)
    : m_descriptor(descriptor)
{
}

std::shared_ptr<HttpDirectChannel> HttpDirectChannel::open(qintptr descriptor)
{
    const int copy = ::fcntl(int(descriptor), F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return nullptr;
    return std::shared_ptr<HttpDirectChannel>(new HttpDirectChannel(copy));
}

HttpDirectChannel::~HttpDirectChannel()
{
    ::close(m_descriptor);
}

HttpDirectChannel::Written HttpDirectChannel::write(const char* first, qint64 firstSize, const char* second,
                                                    qint64 secondSize)
{
    Written written;
    const qint64 total = firstSize + secondSize;
    while (written.bytes < total) {
        iovec parts[2];
        int count = 0;
        if (written.bytes < firstSize) {
            parts[count++] = {const_cast<char*>(first + written.bytes), size_t(firstSize - written.bytes)};
            if (secondSize > 0)
                parts[count++] = {const_cast<char*>(second), size_t(secondSize)};
        } else {
            const qint64 offset = written.bytes - firstSize;
            parts[count++] = {const_cast<char*>(second + offset), size_t(secondSize - offset)};
        }
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = size_t(count);
        // sendmsg rather than writev: a client that went away must not raise SIGPIPE.
        const ssize_t sent = ::sendmsg(m_descriptor, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                written.failed = true;
            break;
        }
        written.bytes += sent;
    }
    return written;
}

} // namespace butler
