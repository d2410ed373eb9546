#pragma once

#include <QString>

namespace butler {

// The formatter labels stored with dataset files (fits, json, yaml, csv, parquet, png, text,
// bytes). Local and remote ingest share this so the same file gets the same label.
class FormatterLabel
{
public:
    // The label for a file name, from its extension; "bytes" when none fits.
    static QString forPath(const QString& path);
};

} // namespace butler
