#pragma once

#include <QtGlobal>

#include <functional>

namespace butler {

// How RemoteUploader sends files.
struct UploadOptions
{
    int parallel = 8;      // PUTs in flight at once
    int batchFiles = 1000; // files per reservation and commit, at most
    // A rerun after a failure: datasets already in the run with the same size and sha256 count
    // as done instead of as conflicts.
    bool resume = false;
    // On failure, prune what this call committed and abort its open batches (all or nothing);
    // without it, everything stays for a rerun to resume.
    bool undoOnFailure = true;
    // The run was made for this upload, so nothing in it is resumed: each batch is reserved
    // before its files are hashed, they are hashed while they are sent, and each file's sha256
    // is compared with the one the server answered for what it received before the batch is
    // committed. Only with a plain-http server; otherwise the files are hashed first.
    bool newRun = false;
    // Bytes sent (or found on the server already) so far, and in all. Called on the thread of
    // the upload.
    std::function<void(qint64 bytesDone, qint64 bytesTotal)> progress;
};

// What an upload did, also when it failed.
struct UploadReport
{
    int sentFiles = 0;    // PUT in this call
    int skippedFiles = 0; // already on the server
    qint64 sentBytes = 0;
    bool leftOnServer = false; // a failure left slots or datasets for a rerun to resume
};

} // namespace butler
