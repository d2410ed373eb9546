#pragma once

// Runs the real `butler` executable (BUTLER_BIN_DIR) for integration tests.
#include <QProcess>
#include <QStringList>

namespace butler {

struct CliResult
{
    int status = -1; // -1: did not start or finish in time; -2: crashed
    QString out;
    QString err;
};

// Runs butler with stdin closed (so never a terminal) and waits for it, with BUTLER_LOG unset
// and, when given, the access token in BUTLER_ACCESS_TOKEN.
inline CliResult runButler(const QStringList& args, const QString& token = {}, int timeoutMs = 180000)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("BUTLER_LOG"));
    if (!token.isEmpty())
        env.insert(QStringLiteral("BUTLER_ACCESS_TOKEN"), token);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(BUTLER_BIN_DIR "/butler"), args);
    CliResult result;
    if (!process.waitForStarted(30000))
        return result;
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.status = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace butler
