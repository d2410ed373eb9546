#pragma once

#include "RemoteQuota.h"

#include <QWidget>
#include <optional>

namespace butler {

// The signed-in user's storage quota in the status bar: one bar with the bytes used, then the
// bytes held by uploads in progress (lighter), against the limit, and the numbers in words
// beside it and in the tooltip. When the server keeps no quota the bar hides, and the reason is
// kept as its tooltip (the window puts it on the user label too). A language change says the
// numbers again.
class QuotaBar : public QWidget
{
    Q_OBJECT

public:
    explicit QuotaBar(QWidget* parent = nullptr);

    void setQuota(const RemoteQuota& quota);
    // No quota on this server (or it could not say): hidden, with the reason.
    void setUnavailable(const QString& reason);
    void clear();

    const std::optional<RemoteQuota>& quota() const { return m_quota; }
    // "1.2 GiB of 10 GiB used", as shown.
    QString text() const { return m_text; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void changeEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    // The words and tooltip for m_quota, in the current language and locale.
    void describe();

    std::optional<RemoteQuota> m_quota;
    QString m_text;
};

} // namespace butler
