#pragma once

#include "JsonReader.h"
#include "Result.h"

#include <QStringList>
#include <QVariantMap>

#include <optional>

namespace butler {

// Reads a request's JSON object body member by member, for the hot routes: parsing into a
// QJsonDocument and converting the data ID to variants cost more than the registry lookup
// they feed. Same rules and messages as the QJsonObject helpers of the handlers: null counts
// as absent, a string as a one-element list, unknown members are checked and skipped, and the
// last of repeated members wins.
class JsonBodyReader
{
public:
    explicit JsonBodyReader(QByteArrayView body);

    // The next member's name; false at the end of the object or on an error (see finish()).
    bool next(QByteArrayView& name);

    // Each reads the current member's value, named `key` in messages.
    void readString(const char* key, std::optional<QString>& out);
    void readStringList(const char* key, std::optional<QStringList>& out);
    void readObject(const char* key, QVariantMap& out);
    // `expected` says what the value must be, e.g. "TAI nanoseconds (an integer)".
    void readInteger(const char* key, std::optional<qint64>& out, const char* expected);
    void skip();

    // OK when the body was one well-formed object and every member had the right type.
    Status finish();

private:
    bool fieldError(const char* key, const char* mustBe);
    static QString memberName(QByteArrayView utf8);
    // Consumes a null value; true when there was one.
    bool takeNull();

    JsonReader m_reader;
    // A mistake found before the reader's own (empty body, not an object, wrong field type).
    std::optional<Error> m_error;
};

} // namespace butler
