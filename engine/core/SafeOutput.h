// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QString>

#include <memory>

class QFile;
class QIODevice;

namespace rf {

// Whether writing a file may replace one that is already there. Never by
// default: a person must have said so (--force on the command line; the
// desktop app asks).
enum class Overwrite {
    Refuse,
    Replace,
};

// Where a file that a person asked for will be written, once checked.
struct OutputTarget {
    QString path; // absolute; a symbolic link to a regular file is resolved to that file
    bool replaces = false; // a regular file is there now and will be replaced
};

// The one way Rightsflow writes a file that a person named (a bundle, an
// exported item or attachment; the desktop app's and the web server's
// downloads too), so that no path typed carelessly or with ill intent can
// destroy data.
//
// resolve() checks the path before any work is done or recorded:
//  - a folder (an existing one, or a path ending in '/') means the default
//    name inside it; a folder that does not exist is an error;
//  - the register's own files (with -wal, -shm and -journal) and every
//    configuration or data file the program has read are refused, whatever
//    the overwrite choice, also through another name (hard or symbolic link);
//  - anything that is not a regular file or a new name is refused: devices,
//    FIFOs, sockets, folders, and symbolic links to those or to nothing;
//  - an existing regular file is replaced only with Overwrite::Replace.
//
// OutputFile writes to a new temporary file beside the target and puts it in
// place only when complete: flushed and synced, then renamed. Without
// Replace, it is linked into place so that a file that appeared at that name
// meanwhile is never replaced. A failed or abandoned write (disk full,
// read-only, no permission, a cancelled build) leaves nothing behind.
class SafeOutput
{
public:
    // Remembers a file the program has open or has read its configuration
    // from, which output must never replace. Thread-safe; kept for the life of
    // the process.
    static void protect(const QString &path);
    // A SQLite database, with the journal files SQLite keeps beside it.
    static void protectDatabase(const QString &path);

    // Checks `typed` (as a person gave it) for writing. `defaultName` is the
    // file name used when `typed` names a folder; empty means a folder is
    // refused. `what` names the file in messages ("the bundle").
    [[nodiscard]] static Result<OutputTarget> resolve(
        const QString &typed, const QString &defaultName, Overwrite overwrite, const QString &what);

    // Whether `path` is, or is another name of, a protected file.
    [[nodiscard]] static bool isProtected(const QString &path);

    // Unnamed temporary files (O_TMPFILE) where the filesystem has them, the
    // default; off, every write takes the named-temporary-file path that
    // filesystems without them take (for the tests of that path).
    static void setUnnamedTemporaryFiles(bool allowed);
};

class OutputFile
{
public:
    // Creates the temporary file beside `target.path`, open for writing.
    [[nodiscard]] static Result<std::unique_ptr<OutputFile>> create(const OutputTarget &target, const QString &what);

    ~OutputFile(); // removes the temporary file; a placed but unfinished file is rolled back
    OutputFile(const OutputFile &) = delete;
    OutputFile &operator=(const OutputFile &) = delete;

    [[nodiscard]] QIODevice *device() const;
    [[nodiscard]] const OutputTarget &target() const { return m_target; }
    // Where the content is while it is written (for reading it back before it is placed).
    [[nodiscard]] QString temporaryPath() const;

    // Flushes and syncs what was written, so that it can be read back
    // through temporaryPath() (place() does it too).
    [[nodiscard]] Status sync();
    // Flushes and syncs the content and puts it at the target. A file it
    // replaces is kept aside until finish(), so that rollback() can restore it
    // when what the file records (an audit event) could not be committed.
    [[nodiscard]] Status place();
    // The written file stays; a replaced one is gone.
    void finish();
    // Undoes place(): the target is as it was before.
    void rollback();
    // place() then finish(), for a write that records nothing.
    [[nodiscard]] Status commit();

private:
    OutputFile(OutputTarget target, QString what);
    Status fail(const QString &doing, int error);

    OutputTarget m_target;
    QString m_what;
    QString m_temporary;
    QString m_aside; // the replaced file, kept until finish()
    std::unique_ptr<QFile> m_file;
    bool m_unnamed = false; // O_TMPFILE: m_temporary is its /proc/self/fd path
    bool m_placed = false;
    // The placed file's identity, so that a rollback removes only what it placed.
    unsigned long long m_placedDevice = 0;
    unsigned long long m_placedInode = 0;
    bool m_finished = false;
};

} // namespace rf
