#pragma once

// Runs the `butler` command line in the test's own process (CliApplication), with no input and
// not on a terminal, and keeps what it printed.
#include "CliApplication.h"

#include <QTextStream>

namespace butler {

struct InProcessRun
{
    int status = -1;
    QString out;
    QString err;
};

inline InProcessRun runCli(const QStringList& args)
{
    CliApplication cli;
    QString input;
    QTextStream in(&input);
    cli.setInput(&in, false);
    InProcessRun run;
    QTextStream out(&run.out);
    QTextStream err(&run.err);
    run.status = cli.run(args, out, err);
    out.flush();
    err.flush();
    return run;
}

inline QString describe(const InProcessRun& run)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(run.status).arg(run.out, run.err);
}

} // namespace butler
