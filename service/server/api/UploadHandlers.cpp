#include "UploadHandlers.h"

#include "ApiCall.h"
#include "AuthorizedButler.h"
#include "QuotaStore.h"
#include "RepositoryService.h"
#include "UploadService.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace butler {

namespace {

const QString kUploadId = QStringLiteral("upload_id");

Result<QString> textField(const QJsonObject& object, const QString& key, bool required)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            return invalidInput(QStringLiteral("missing field '%1'").arg(key));
        return QString();
    }
    if (!value.isString())
        return invalidInput(QStringLiteral("field '%1' must be a string").arg(key));
    return value.toString();
}

Result<qint64> sizeField(const QJsonObject& object, const QString& key)
{
    const QJsonValue value = object.value(key);
    if (!value.isDouble())
        return invalidInput(QStringLiteral("field '%1' must be a number of bytes").arg(key));
    const double number = value.toDouble();
    if (number < 0 || number > 9.0e15 || number != double(qint64(number)))
        return invalidInput(QStringLiteral("field '%1' must be a whole number of bytes").arg(key));
    return qint64(number);
}

Result<UploadService::Request> reservationFromJson(const QJsonObject& body)
{
    UploadService::Request request;
    BUTLER_ASSIGN_OR_RETURN(request.run, textField(body, QStringLiteral("run"), true));
    BUTLER_ASSIGN_OR_RETURN(const QString defaultType,
                            textField(body, QStringLiteral("dataset_type"), false));
    BUTLER_ASSIGN_OR_RETURN(const QString defaultFormatter,
                            textField(body, QStringLiteral("formatter"), false));
    const QJsonValue resume = body.value(QStringLiteral("resume"));
    if (!resume.isUndefined() && !resume.isNull() && !resume.isBool())
        return invalidInput(QStringLiteral("field 'resume' must be true or false"));
    request.resume = resume.toBool(false);
    const QJsonValue filesValue = body.value(QStringLiteral("files"));
    if (!filesValue.isArray())
        return invalidInput(QStringLiteral("field 'files' must be a list of {data_id, size, sha256?}"));
    const QJsonArray files = filesValue.toArray();
    request.files.reserve(files.size());
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString where = QStringLiteral("files[%1]").arg(i);
        if (!files.at(i).isObject())
            return invalidInput(QStringLiteral("%1 must be a JSON object").arg(where));
        const QJsonObject entry = files.at(i).toObject();
        UploadService::File file;
        auto type = textField(entry, QStringLiteral("dataset_type"), false);
        if (!type)
            return type.error().withContext(where);
        auto sha = textField(entry, QStringLiteral("sha256"), false);
        if (!sha)
            return sha.error().withContext(where);
        auto formatter = textField(entry, QStringLiteral("formatter"), false);
        if (!formatter)
            return formatter.error().withContext(where);
        auto size = sizeField(entry, QStringLiteral("size"));
        if (!size)
            return size.error().withContext(where);
        file.datasetType = type->isEmpty() ? defaultType : type.value();
        if (file.datasetType.isEmpty())
            return invalidInput(
                QStringLiteral("%1: no dataset type (give 'dataset_type' for the batch or the file)")
                    .arg(where));
        file.sha256 = sha.value();
        file.formatter = formatter->isEmpty() ? defaultFormatter : formatter.value();
        file.size = size.value();
        const QJsonValue dataId = entry.value(QStringLiteral("data_id"));
        if (!dataId.isObject())
            return invalidInput(QStringLiteral("%1: field 'data_id' must be a JSON object").arg(where));
        file.dataId = dataId.toObject().toVariantMap();
        request.files.append(std::move(file));
    }
    return request;
}

// {"datasets":[DatasetRef...]}, written piece by piece: a commit answers thousands of refs of
// one or two dataset types and runs, whose JSON is made once each.
QByteArray refsBody(const QList<DatasetRef>& refs)
{
    const auto compact = [](const QJsonObject& object) {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    };
    QHash<QString, QByteArray> types;
    QHash<QString, QByteArray> runs;
    QByteArray body;
    body.reserve(64 + refs.size() * 200);
    body += "{\"datasets\":[";
    for (qsizetype i = 0; i < refs.size(); ++i) {
        const DatasetRef& ref = refs[i];
        auto type = types.constFind(ref.datasetType().name());
        if (type == types.constEnd())
            type = types.insert(ref.datasetType().name(), compact(ref.datasetType().toJson()));
        auto run = runs.constFind(ref.run());
        if (run == runs.constEnd()) {
            // As DatasetRef::toJson(): a run withheld from the reader is null.
            const QByteArray quoted =
                QJsonDocument(QJsonArray{ref.run().isEmpty() ? QJsonValue() : QJsonValue(ref.run())})
                    .toJson(QJsonDocument::Compact);
            run = runs.insert(ref.run(), quoted.mid(1, quoted.size() - 2));
        }
        if (i > 0)
            body += ',';
        body += "{\"id\":\"";
        body += ref.idString().toLatin1();
        body += "\",\"dataset_type\":";
        body += *type;
        body += ",\"data_id\":";
        body += compact(ref.dataId().toJson());
        body += ",\"run\":";
        body += *run;
        body += '}';
    }
    body += "]}";
    return body;
}

} // namespace

Result<ApiAnswer> UploadHandlers::reserve(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const UploadService::Request request, reservationFromJson(body));
    BUTLER_ASSIGN_OR_RETURN(const UploadService::Grant grant,
                            call.repository.uploadService().reserve(call.butler, request));
    return ApiAnswer::json(grant.toJson(), 201);
}

Result<ApiAnswer> UploadHandlers::commit(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString uploadId, textField(body, kUploadId, true));
    BUTLER_ASSIGN_OR_RETURN(const QList<DatasetRef> refs,
                            call.repository.uploadService().commit(call.butler, uploadId));
    ApiAnswer answer;
    answer.body = refsBody(refs);
    return answer;
}

Result<ApiAnswer> UploadHandlers::abort(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    BUTLER_ASSIGN_OR_RETURN(const QString uploadId, textField(body, kUploadId, true));
    const QJsonValue undo = body.value(QStringLiteral("undo_commit"));
    if (!undo.isUndefined() && !undo.isNull() && !undo.isBool())
        return invalidInput(QStringLiteral("field 'undo_commit' must be true or false"));
    BUTLER_ASSIGN_OR_RETURN(const qint64 released,
                            call.repository.uploadService().abort(call.butler, uploadId, undo.toBool(false)));
    return ApiAnswer::json(QJsonObject{{QStringLiteral("released_bytes"), released}});
}

Result<ApiAnswer> UploadHandlers::put(ApiCall& call)
{
    const ApiRequest& request = call.request;
    BUTLER_ASSIGN_OR_RETURN(const QString type, request.requiredParam(QStringLiteral("dataset_type")));
    BUTLER_ASSIGN_OR_RETURN(const QString run, request.requiredParam(QStringLiteral("run")));
    const QString formatter = request.param(QStringLiteral("formatter"));
    BUTLER_ASSIGN_OR_RETURN(const QString dataIdText, request.requiredParam(QStringLiteral("data_id")));
    QJsonParseError parseError;
    const QJsonDocument dataIdJson = QJsonDocument::fromJson(dataIdText.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !dataIdJson.isObject())
        return invalidInput(QStringLiteral("query parameter 'data_id' must be a JSON object"));
    BUTLER_ASSIGN_OR_RETURN(
        const DatasetRef ref,
        call.repository.uploadService().put(call.butler, request.body,
                                            formatter.isEmpty() ? QStringLiteral("bytes") : formatter, type,
                                            dataIdJson.object().toVariantMap(), run));
    return ApiAnswer::json(ref.toJson(), 201);
}

Result<ApiAnswer> UploadHandlers::getQuota(ApiCall& call)
{
    const Identity& identity = call.request.identity;
    QString user = call.request.param(QStringLiteral("user"));
    if (user.isEmpty())
        user = identity.user;
    if (user != identity.user && !identity.admin)
        return Error(ErrorKind::PermissionDenied,
                     QStringLiteral("only admins see the quotas of other users; leave out 'user' for yours"));
    BUTLER_ASSIGN_OR_RETURN(const QuotaUsage usage, call.repository.quotas().usage(user));
    return ApiAnswer::json(usage.toJson());
}

Result<ApiAnswer> UploadHandlers::setQuota(ApiCall& call)
{
    BUTLER_ASSIGN_OR_RETURN(const QJsonObject body, call.request.jsonBody());
    if (!call.request.identity.admin)
        return Error(ErrorKind::PermissionDenied,
                     QStringLiteral("only admins set quotas (members of the configured admin group)"));
    BUTLER_ASSIGN_OR_RETURN(const QString user, textField(body, QStringLiteral("user"), true));
    if (user.trimmed().isEmpty() || user.size() > 256)
        return invalidInput(QStringLiteral("'%1' is not a user name").arg(user.left(64)));
    const QString key = QStringLiteral("limit_bytes");
    if (!body.contains(key))
        return invalidInput(
            QStringLiteral("missing field 'limit_bytes' (a number of bytes, or null for the default)"));
    std::optional<qint64> limit;
    if (!body.value(key).isNull()) {
        BUTLER_ASSIGN_OR_RETURN(limit, sizeField(body, key));
    }
    BUTLER_TRY(call.repository.quotas().setLimit(user, limit));
    BUTLER_ASSIGN_OR_RETURN(const QuotaUsage usage, call.repository.quotas().usage(user));
    return ApiAnswer::json(usage.toJson());
}

} // namespace butler
