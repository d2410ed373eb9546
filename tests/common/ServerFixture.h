#pragma once

// A real butler-server process on a free loopback port, serving a small demo repository with
// collections in every namespace, and one static token per test user. Tests talk to it over
// HTTP with the blocking helpers below.
//
// Users and groups:
//   alice  [alpha]            owns u/alice/*, member of g/alpha/*
//   bob    [beta]             owns u/bob/*
//   erin   [gamma]            gamma is granted read on u/alice/shared
//   carol  [data-rights]      reads release collections during their proprietary period
//   dave   [butler-admins]    admin
//   frank  []                 an authenticated user with no groups
//
// Collections (besides the demo repository's LSSTCam/* release collections, which are
// proprietary until two years after today):
//   u/alice/run     RUN     one dataset "note" {instrument}
//   u/alice/shared  RUN     one dataset; ACL: gamma may read
//   u/alice/tagged  TAGGED  holds the dataset of u/alice/run
//   u/alice/chain   CHAINED [u/alice/run, u/bob/run, LSSTCam/raw/all]
//   g/alpha/run     RUN     one dataset
//   u/bob/run       RUN     one dataset
//   DR1/public      RUN     one dataset; its proprietary period ended in 2020
//
// The repository is built once per test binary (initTestCase) and shared by the test functions.

#include "AclStore.h"
#include "DemoRepoBuilder.h"
#include "DirectButler.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

namespace butler {

class ServerFixture
{
public:
    struct Reply
    {
        int status = 0;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QString networkError;

        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
        QByteArray header(const QByteArray& name) const
        {
            for (const auto& [key, value] : headers) {
                if (key.compare(name, Qt::CaseInsensitive) == 0)
                    return value;
            }
            return {};
        }
        QString errorType() const
        {
            return json().value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString();
        }
    };

    static QStringList users()
    {
        return {QStringLiteral("alice"), QStringLiteral("bob"),  QStringLiteral("erin"),
                QStringLiteral("carol"), QStringLiteral("dave"), QStringLiteral("frank")};
    }
    static QStringList groupsOf(const QString& user)
    {
        static const QHash<QString, QStringList> groups{
            {QStringLiteral("alice"), {QStringLiteral("alpha")}},
            {QStringLiteral("bob"), {QStringLiteral("beta")}},
            {QStringLiteral("erin"), {QStringLiteral("gamma")}},
            {QStringLiteral("carol"), {QStringLiteral("data-rights")}},
            {QStringLiteral("dave"), {QStringLiteral("butler-admins")}},
            {QStringLiteral("frank"), {}}};
        return groups.value(user);
    }

    QString root() const { return m_dir.path(); }
    QString repoPath() const { return m_dir.filePath(QStringLiteral("repo")); }
    QString configPath() const { return m_dir.filePath(QStringLiteral("server.yaml")); }
    QString token(const QString& user) const { return m_tokens.value(user); }
    quint16 port() const { return m_port; }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QString repoUrl() const { return baseUrl() + QStringLiteral("/api/butler/repo/main"); }
    QString api(const QString& route) const { return QStringLiteral("/api/butler/repo/main/v1") + route; }
    QProcess& process() { return m_process; }

    // Builds the repository, the token file, the signing key and the config. extraConfig is
    // appended as top-level YAML (sections the base config lacks, e.g. http:); extraAuth goes
    // inside the auth: section, indented by two spaces (e.g. "  jwt: {...}\n"). Without a
    // limits: section in extraConfig the per-user rate limit is set far above what a test
    // sends, so only tests that mean to meet it do.
    bool prepare(const QString& extraConfig = {}, const QString& extraAuth = {})
    {
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary folder"));
        if (!buildRepository())
            return false;
        QFile tokens(m_dir.filePath(QStringLiteral("tokens.yaml")));
        if (!tokens.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write tokens.yaml"));
        for (const QString& user : users()) {
            const QString token =
                QStringLiteral("tok-%1-%2").arg(user).arg(QRandomGenerator::global()->generate64());
            m_tokens.insert(user, token);
            QByteArray entry = "- token_sha256: " +
                               QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex() +
                               "\n  user: " + user.toUtf8() + "\n  groups: [" +
                               groupsOf(user).join(u',').toUtf8() + "]\n";
            tokens.write(entry);
        }
        tokens.close();
        QFile key(m_dir.filePath(QStringLiteral("signing.key")));
        if (!key.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write signing.key"));
        key.write(QByteArray("0123456789abcdefghijklmnopqrstuvwxyz-fixture-key"));
        key.close();
        QFile config(configPath());
        if (!config.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write server.yaml"));
        config.write(
            QStringLiteral(
                "listen: 127.0.0.1:0\n"
                "repositories:\n  main: { path: %1 }\n"
                "auth:\n  static_tokens_file: tokens.yaml\n%2"
                "policy:\n  data_rights_group: data-rights\n  admin_group: butler-admins\n"
                "  proprietary_period_days: 730\n"
                "signed_urls: { ttl_seconds: 3600, max_ttl_seconds: 604800, secret_file: signing.key }\n")
                .arg(repoPath(), extraAuth)
                .toUtf8());
        config.write(extraConfig.toUtf8());
        if (!extraConfig.contains(QLatin1String("limits:")))
            config.write("limits: { requests_per_second_per_user: 1000000 }\n");
        return true;
    }

    // Starts butler-server --config and waits for its "listening" line.
    bool start()
    {
        m_process.setProgram(QStringLiteral(BUTLER_SERVER_BIN));
        m_process.setArguments({QStringLiteral("--config"), configPath()});
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start();
        if (!m_process.waitForStarted(10000))
            return fail(QStringLiteral("butler-server did not start: ") + m_process.errorString());
        static const QRegularExpression listening(QStringLiteral("listening on http://[^:]+:(\\d+)"));
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            m_process.waitForReadyRead(200);
            out += m_process.readAllStandardOutput();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(out));
            if (match.hasMatch()) {
                m_port = quint16(match.captured(1).toUInt());
                return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                break;
        }
        return fail(QStringLiteral("butler-server did not report its port; stdout: %1 stderr: %2")
                        .arg(QString::fromUtf8(out), QString::fromUtf8(m_process.readAllStandardError())));
    }

    // SIGTERM, then wait; returns the exit code (-1 when it had to be killed).
    int stop(int waitMs = 15000)
    {
        if (m_process.state() == QProcess::NotRunning)
            return m_process.exitCode();
        m_process.terminate();
        if (!m_process.waitForFinished(waitMs)) {
            m_process.kill();
            m_process.waitForFinished(5000);
            return -1;
        }
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    Reply request(const QByteArray& method, const QString& pathAndQuery, const QString& user,
                  const QByteArray& body = {}, const QList<QPair<QByteArray, QByteArray>>& headers = {})
    {
        QNetworkRequest request(QUrl(baseUrl() + pathAndQuery));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        if (!user.isEmpty())
            request.setRawHeader("Authorization",
                                 "Bearer " +
                                     (m_tokens.contains(user) ? m_tokens.value(user) : user).toUtf8());
        if (!body.isEmpty() || method == "POST")
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        for (const auto& [name, value] : headers)
            request.setRawHeader(name, value);
        // A custom "HEAD" would wait for the body its Content-Length announces.
        QNetworkReply* reply =
            method == "HEAD" ? m_network.head(request) : m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        loop.exec();
        Reply result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.headers = reply->rawHeaderPairs();
        if (reply->error() != QNetworkReply::NoError && result.status == 0)
            result.networkError = reply->errorString();
        reply->deleteLater();
        return result;
    }
    Reply get(const QString& route, const QString& user) { return request("GET", api(route), user); }
    Reply post(const QString& route, const QString& user, const QJsonObject& body)
    {
        return request("POST", api(route), user, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    static QString enc(const QString& value) { return QString::fromLatin1(QUrl::toPercentEncoding(value)); }

    QString lastError() const { return m_error; }
    QUuid datasetIn(const QString& run) const { return m_datasets.value(run); }

private:
    bool fail(const QString& message)
    {
        m_error = message;
        return false;
    }

    bool buildRepository()
    {
        const Status created = DirectButler::create(repoPath());
        if (!created)
            return fail(created.error().message());
        auto opened = DirectButler::open(repoPath());
        if (!opened)
            return fail(opened.error().message());
        DirectButler& butler = *opened.value();
        DemoRepoOptions options;
        options.nights = 1;
        options.small = true;
        const auto built = DemoRepoBuilder::build(butler, options);
        if (!built)
            return fail(built.error().message());
        const auto noteType =
            DatasetType::make(butler.universe(), QStringLiteral("note"), {QStringLiteral("instrument")},
                              QStringLiteral("StructuredDataDict"));
        if (!noteType || !butler.registerDatasetType(noteType.value()))
            return fail(QStringLiteral("cannot register the note dataset type"));
        const QStringList runs{QStringLiteral("u/alice/run"), QStringLiteral("u/alice/shared"),
                               QStringLiteral("g/alpha/run"), QStringLiteral("u/bob/run"),
                               QStringLiteral("DR1/public")};
        for (const QString& run : runs) {
            if (!butler.registerCollection(run, CollectionType::Run))
                return fail(QStringLiteral("cannot register ") + run);
            const auto ref = butler.put(QByteArray("{\"run\": \"") + run.toUtf8() + "\"}",
                                        QStringLiteral("json"), QStringLiteral("note"),
                                        {{QStringLiteral("instrument"), QStringLiteral("LSSTCam")}}, run);
            if (!ref)
                return fail(ref.error().message());
            m_datasets.insert(run, ref->id());
        }
        if (!butler.registerCollection(QStringLiteral("u/alice/tagged"), CollectionType::Tagged) ||
            !butler.associate(QStringLiteral("u/alice/tagged"),
                              {m_datasets.value(QStringLiteral("u/alice/run"))}))
            return fail(QStringLiteral("cannot make u/alice/tagged"));
        if (!butler.setCollectionChain(QStringLiteral("u/alice/chain"),
                                       {QStringLiteral("u/alice/run"), QStringLiteral("u/bob/run"),
                                        QStringLiteral("LSSTCam/raw/all")},
                                       ChainMode::Redefine))
            return fail(QStringLiteral("cannot make u/alice/chain"));
        auto acls = AclStore::open(butler.registry());
        if (!acls)
            return fail(acls.error().message());
        if (!acls.value()->editReaders(QStringLiteral("u/alice/shared"), {QStringLiteral("gamma")}, {}))
            return fail(QStringLiteral("cannot grant gamma"));
        // 2020-01-01: the proprietary period of DR1/public is over.
        if (!acls.value()->setDates(QStringLiteral("DR1/public"), 1514764800, qint64(1577836800)))
            return fail(QStringLiteral("cannot set the proprietary date of DR1/public"));
        return true;
    }

    QTemporaryDir m_dir;
    QHash<QString, QString> m_tokens;
    QHash<QString, QUuid> m_datasets;
    QProcess m_process;
    QNetworkAccessManager m_network;
    quint16 m_port = 0;
    QString m_error;
};

// "<status> <start of the body>", for failure messages.
inline QString describe(const ServerFixture::Reply& reply)
{
    return QStringLiteral("%1 %2").arg(reply.status).arg(QString::fromUtf8(reply.body.left(400)));
}

// The message of a {"error": {...}} answer.
inline QString errorMessage(const ServerFixture::Reply& reply)
{
    return reply.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
}

} // namespace butler
