// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

// What every fuzz target shares. A target is one function,
// LLVMFuzzerTestOneInput, that hands one input to an engine parser the way
// the program does and checks what must hold whatever the input (an error
// names where it is; a parsed value reads back to itself). It is linked either
// with libFuzzer (RIGHTSFLOW_FUZZ=ON, clang) or with ReplayMain.cpp, which
// runs the committed corpus as a regression test in the normal build.
namespace rf::fuzz {

// RIGHTSFLOW_FUZZ_VERBOSE=1 shows the engine's log and each parser's verdict,
// to see what an input in the corpus exercises.
inline bool verbose()
{
    static const bool on = !qEnvironmentVariableIsEmpty("RIGHTSFLOW_FUZZ_VERBOSE");
    return on;
}

// Called once per process by every target: the parsers log what they refuse,
// and a million runs of that on stderr would be most of the fuzzer's time.
inline bool quietStart()
{
    if (!verbose())
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
    return true;
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// A property every input must keep. A broken one aborts, which libFuzzer and
// the replay both report as a failure with the input that caused it.
inline void require(bool holds, const char *what, const QString &detail = {})
{
    if (holds)
        return;
    std::fprintf(stderr, "fuzz: property broken: %s\n%s\n", what, qUtf8Printable(detail));
    std::abort();
}

// A refusal must say what was wrong: an error with an empty message is a bug
// whatever the input.
template<typename T>
void requireExplained(const Result<T> &result, const char *parser)
{
    if (verbose())
        std::fprintf(stderr, "%s: %s\n", parser,
            result ? "accepted" : qUtf8Printable(QStringLiteral("refused: ") + result.error().fullText().left(300)));
    if (!result)
        require(!result.error().message.trimmed().isEmpty(), parser, QStringLiteral("refused with an empty message"));
}

} // namespace rf::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
