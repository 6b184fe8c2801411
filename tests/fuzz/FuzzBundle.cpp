// SPDX-License-Identifier: GPL-3.0-or-later
// A response bundle somebody hands back to be checked (`rightsflow bundle
// verify FILE.zip`): the input is the archive, written to a scratch file and
// verified as the CLI verifies one. Whatever the bytes, the answer is a
// verdict or an error that says why, never a crash, a hang or a leak.
#include "FuzzSupport.h"

#include "bundle/BundleVerifier.h"

#include <QFile>
#include <QTemporaryDir>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    static const QTemporaryDir scratch;
    rf::fuzz::require(scratch.isValid(), "a scratch folder can be made");
    const QString path = scratch.filePath(QStringLiteral("DSR-2026-000001.zip"));
    {
        QFile file(path);
        rf::fuzz::require(file.open(QIODevice::WriteOnly | QIODevice::Truncate)
                && file.write(reinterpret_cast<const char *>(data), qint64(size)) == qint64(size),
            "the scratch archive is written", path);
    }
    int progressCalls = 0;
    const rf::Result<rf::BundleCheck> check
        = rf::BundleVerifier::verify(path, [&progressCalls](const rf::BundleVerifier::Progress &) { ++progressCalls; });
    rf::fuzz::requireExplained(check, "BundleVerifier::verify");
    if (!check)
        return 0;
    rf::fuzz::require(check->entriesChecked >= 1, "a verified archive has at least its manifest");
    rf::fuzz::require(
        check->bytesChecked >= 0 && check->bytesChecked <= qint64(64) * 1024 * 1024 * 1024, "the bytes checked are counted");
    return 0;
}
