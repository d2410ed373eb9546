#pragma once

#include <QJsonObject>
#include <QString>
#include <QUuid>

namespace butler {

// One file of an upload batch: the dataset it will become (its ID is chosen at reservation),
// where its file goes, how many bytes were reserved for it, and how far it got.
struct UploadSlot
{
    enum class State
    {
        Reserved,  // bytes reserved, PUT URL handed out
        Uploaded,  // written by earlier versions; a slot's file arrived when it is at its path
        Committed, // the dataset exists; kept a while so a repeated commit gets the same answer
    };

    QUuid datasetId;
    QString uploadId;
    QString user;
    QString run;
    QString datasetType;
    QJsonObject dataId; // required dimension values
    QString dataIdKey;  // canonical text of dataId, unique per run and dataset type while open
    QString path;       // relative to the datastore root
    qint64 size = 0;
    QString formatter;
    QString expectedSha256; // hex, from the client; empty when it did not say
    QString checksum;       // "sha256:<hex>" of what arrived, recorded at commit
    State state = State::Reserved;
    qint64 expires = 0; // unix seconds
    int ordinal = 0;    // position in its batch's request

    bool isOpen() const { return state != State::Committed; }
    static QString stateName(State state)
    {
        switch (state) {
        case State::Reserved:
            return QStringLiteral("reserved");
        case State::Uploaded:
            return QStringLiteral("uploaded");
        case State::Committed:
            return QStringLiteral("committed");
        }
        return {};
    }
    static State stateFromName(const QString& name)
    {
        if (name == QLatin1String("uploaded"))
            return State::Uploaded;
        if (name == QLatin1String("committed"))
            return State::Committed;
        return State::Reserved;
    }
};

// An upload batch: the slots reserved by one request, committed or aborted together.
struct UploadBatch
{
    QString uploadId;
    QString user;
    QString run;
    qint64 createdAt = 0;
    bool committed = false;
    qint64 committedAt = 0;
};

} // namespace butler
