// SPDX-License-Identifier: GPL-3.0-or-later
// The main of a fuzz target in the normal build: runs the target once on
// every file given, or on every file of every folder given (its committed
// corpus, the seeds and every reproducer found), so that `./run test` checks
// that no input a fuzzer ever found still crashes, hangs or breaks a property.
// libFuzzer's own main takes its place in the RIGHTSFLOW_FUZZ=ON build.
#include "FuzzSupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <cstdio>

int main(int argc, char **argv)
{
    QStringList files;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (QFileInfo(arg).isDir()) {
            QStringList inDir;
            QDirIterator it(arg, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext())
                inDir << it.next();
            inDir.sort();
            files << inDir;
        } else {
            files << arg;
        }
    }
    if (files.isEmpty()) {
        std::fprintf(stderr, "usage: %s FILE-OR-CORPUS-FOLDER...\n(no input given, or the folders are empty)\n", argv[0]);
        return 2;
    }
    for (const QString &path : std::as_const(files)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "%s: cannot read: %s\n", qUtf8Printable(path), qUtf8Printable(file.errorString()));
            return 1;
        }
        const QByteArray input = file.readAll();
        // Named before it runs, so that a crash's log says which input it was.
        std::printf("%s (%lld bytes)\n", qUtf8Printable(QDir::current().relativeFilePath(path)), qlonglong(input.size()));
        std::fflush(stdout);
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(input.constData()), size_t(input.size()));
    }
    std::printf("%lld input(s) replayed, none failed\n", qlonglong(files.size()));
    return 0;
}
