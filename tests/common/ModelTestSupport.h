#pragma once

// Helpers shared by the tests of the asynchronous item models: waiting for their requests to
// end, and recording the debug lines of one logging category.
#include <QLoggingCategory>
#include <QStringList>
#include <QTest>

namespace butler::test {

constexpr int kModelTimeout = 30000;

// Waits for the model's requests to end: they run inside the RemoteButler, which must outlive them.
template <typename Model> bool waitForRequests(const Model& model, int timeout = kModelTimeout)
{
    return QTest::qWaitFor([&] { return !model.hasPendingRequests(); }, timeout);
}

// Waits on every way out of a test, early QVERIFY returns included.
template <typename Model> struct Settle
{
    const Model& model;
    ~Settle()
    {
        if (!waitForRequests(model))
            qWarning("requests still in flight");
    }
};

// Turns on one category's debug lines and keeps them while in scope; other messages pass on.
class CategoryRecorder
{
public:
    explicit CategoryRecorder(const char* category)
    {
        s_category = category;
        s_messages.clear();
        QLoggingCategory::setFilterRules(QStringLiteral("%1.debug=true").arg(QLatin1String(category)));
        s_previous = qInstallMessageHandler(record);
    }
    ~CategoryRecorder()
    {
        qInstallMessageHandler(s_previous);
        QLoggingCategory::setFilterRules(QStringLiteral("%1.debug=false").arg(QLatin1String(s_category)));
    }
    CategoryRecorder(const CategoryRecorder&) = delete;
    CategoryRecorder& operator=(const CategoryRecorder&) = delete;

    const QStringList& messages() const { return s_messages; }

private:
    static void record(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        if (context.category && qstrcmp(context.category, s_category) == 0)
            s_messages << message;
        if (type != QtDebugMsg && s_previous)
            s_previous(type, context, message);
    }

    static inline const char* s_category = nullptr;
    static inline QStringList s_messages;
    static inline QtMessageHandler s_previous = nullptr;
};

} // namespace butler::test
