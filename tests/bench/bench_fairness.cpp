// One user's query latency, as bench_fairness.sh measures it with and without another user
// flooding the server: POSTs on one keep-alive connection at a steady pace (a request is sent
// on schedule, or as soon as the previous answer is in when that is late), each timed from
// the first byte sent to the last byte of the answer. It asks the scheduler for short time
// slices, as the server's spare workers do: sharing the cores with the server and the
// flood's load generator, it should not add their time slices to what it measures.
//
// bench_fairness HOST PORT PATH TOKEN BODY RATE SECONDS [LATENCY_FILE]
// prints: n=<requests> p50_ms=<ms> p99_ms=<ms> max_ms=<ms> errors=<answers other than 2xx>
// and appends each latency (ms, one a line) to LATENCY_FILE, so several runs can be pooled.

#include "ThreadScheduling.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int connectTo(const char* host, int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    if (::inet_pton(AF_INET, host, &address.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

bool sendAll(int fd, const std::string& data)
{
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += size_t(n);
    }
    return true;
}

// Reads one answer with a Content-Length; returns its status, or -1 when the connection failed.
int readAnswer(int fd, std::string& buffer)
{
    char chunk[65536];
    size_t headerEnd = std::string::npos;
    while ((headerEnd = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return -1;
        buffer.append(chunk, size_t(n));
    }
    const int status = std::atoi(buffer.c_str() + buffer.find(' ') + 1);
    size_t length = 0;
    std::string head = buffer.substr(0, headerEnd);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    const size_t field = head.find("\r\ncontent-length:");
    if (field != std::string::npos)
        length = size_t(std::strtoull(head.c_str() + field + 17, nullptr, 10));
    const size_t total = headerEnd + 4 + length;
    while (buffer.size() < total) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return -1;
        buffer.append(chunk, size_t(n));
    }
    buffer.erase(0, total);
    return status;
}

double percentile(const std::vector<double>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    const size_t rank = size_t(std::ceil(p * double(sorted.size())));
    return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 8 && argc != 9) {
        std::fprintf(stderr, "usage: bench_fairness HOST PORT PATH TOKEN BODY RATE SECONDS [LATENCY_FILE]\n");
        return 2;
    }
    const char* host = argv[1];
    const int port = std::atoi(argv[2]);
    const std::string path = argv[3];
    const std::string token = argv[4];
    const std::string body = argv[5];
    const double rate = std::atof(argv[6]);
    const double seconds = std::atof(argv[7]);
    const std::string request =
        "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body;

    butler::ThreadScheduling::requestSlice(butler::ThreadScheduling::kShortSlice);
    int fd = connectTo(host, port);
    if (fd < 0) {
        std::fprintf(stderr, "bench_fairness: cannot connect to %s:%d\n", host, port);
        return 1;
    }
    std::vector<double> latencies;
    int errors = 0;
    std::string buffer;
    const auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    const Clock::time_point start = Clock::now();
    const Clock::time_point end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    Clock::time_point next = start;
    while (next < end) {
        std::this_thread::sleep_until(next);
        const Clock::time_point sent = Clock::now();
        int status = sendAll(fd, request) ? readAnswer(fd, buffer) : -1;
        if (status < 0) {
            // The connection went: count it, and carry on on a new one.
            ::close(fd);
            buffer.clear();
            fd = connectTo(host, port);
            if (fd < 0) {
                std::fprintf(stderr, "bench_fairness: cannot reconnect\n");
                return 1;
            }
        }
        const Clock::time_point answered = Clock::now();
        if (status < 200 || status > 299)
            ++errors;
        else
            latencies.push_back(std::chrono::duration<double, std::milli>(answered - sent).count());
        next += interval;
        if (next < answered)
            next = answered; // late: no burst to catch up
    }
    ::close(fd);
    if (argc == 9) {
        std::ofstream out(argv[8], std::ios::app);
        for (const double latency : latencies)
            out << latency << '\n';
    }
    std::sort(latencies.begin(), latencies.end());
    std::printf("n=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d\n", latencies.size(),
                percentile(latencies, 0.50), percentile(latencies, 0.99),
                latencies.empty() ? 0.0 : latencies.back(), errors);
    return 0;
}
