// SPDX-License-Identifier: GPL-3.0-or-later
#include "SafeOutput.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QStringList>
#include <QUuid>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rf {

namespace {

QMutex &protectedMutex()
{
    static QMutex mutex;
    return mutex;
}

// Absolute, cleaned paths as they were given; compared at check time, when
// files that did not exist yet (a -wal file) may have appeared.
QStringList &protectedPaths()
{
    static QStringList paths;
    return paths;
}

QByteArray encoded(const QString &path)
{
    return QFile::encodeName(path);
}

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

QString reason(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// The path with its folder's symbolic links resolved, for comparing a name
// that may not exist yet.
QString canonicalName(const QString &path)
{
    const QFileInfo info(path);
    const QString folder = QFileInfo(info.absolutePath()).canonicalFilePath();
    return folder.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : folder + QLatin1Char('/') + info.fileName();
}

bool sameFile(const struct stat &a, const struct stat &b)
{
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

QString uniqueSibling(const QString &target, const char *kind)
{
    const QFileInfo info(target);
    return info.absolutePath()
        + QStringLiteral("/.%1.%2.%3")
              .arg(info.fileName(), QUuid::createUuid().toString(QUuid::Id128).left(12), QString::fromLatin1(kind));
}

// Makes a rename or link in `folder` durable.
void syncFolder(const QString &folder)
{
    const int fd = ::open(encoded(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// Puts `from` at `to` unless something is there already. Returns 0 or errno.
int renameNoReplace(const QString &from, const QString &to)
{
    const QByteArray a = encoded(from);
    const QByteArray b = encoded(to);
#ifdef RENAME_NOREPLACE
    if (::renameat2(AT_FDCWD, a.constData(), AT_FDCWD, b.constData(), RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return errno;
#endif
    // A filesystem without renameat2's flag: link(2) fails rather than replace.
    if (::link(a.constData(), b.constData()) == 0) {
        ::unlink(a.constData());
        return 0;
    }
    if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
        return errno;
    // Neither (a FAT-formatted stick): check, then rename. A file that appears
    // in between is the one case this cannot rule out.
    struct stat st {
    };
    if (::lstat(b.constData(), &st) == 0)
        return EEXIST;
    return ::rename(a.constData(), b.constData()) == 0 ? 0 : errno;
}

bool &unnamedFilesFlag()
{
    static bool allowed = true;
    return allowed;
}

bool unnamedFilesAllowed()
{
    return unnamedFilesFlag();
}

} // namespace

void SafeOutput::setUnnamedTemporaryFiles(bool allowed)
{
    unnamedFilesFlag() = allowed;
}

void SafeOutput::protect(const QString &path)
{
    if (path.isEmpty() || path.startsWith(QLatin1Char(':')))
        return; // a compiled-in resource is not a file on disk
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QMutexLocker lock(&protectedMutex());
    if (!protectedPaths().contains(absolute))
        protectedPaths().append(absolute);
}

void SafeOutput::protectDatabase(const QString &path)
{
    // SQLite keeps its journal files beside the file a symbolic link leads
    // to, so both names are protected.
    const QString real = QFileInfo(path).canonicalFilePath();
    for (const QString &name : {path, real}) {
        if (name.isEmpty())
            continue;
        protect(name);
        for (const char *suffix : {"-wal", "-shm", "-journal"})
            protect(name + QLatin1String(suffix));
    }
}

bool SafeOutput::isProtected(const QString &path)
{
    QStringList paths;
    {
        QMutexLocker lock(&protectedMutex());
        paths = protectedPaths();
    }
    struct stat candidate {
    };
    const bool exists = ::stat(encoded(path).constData(), &candidate) == 0;
    const QString name = canonicalName(path);
    for (const QString &p : std::as_const(paths)) {
        struct stat known {
        };
        if (exists && ::stat(encoded(p).constData(), &known) == 0 && sameFile(candidate, known))
            return true;
        if (canonicalName(p) == name)
            return true;
    }
    return false;
}

Result<OutputTarget> SafeOutput::resolve(
    const QString &typed, const QString &defaultName, Overwrite overwrite, const QString &what)
{
    if (typed.trimmed().isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("No file name was given for %1.").arg(what));
    if (typed.contains(QChar::Null))
        return makeError(ErrorCode::Invalid, QStringLiteral("The file name given for %1 contains a NUL character.").arg(what));

    QString path = typed;
    const QFileInfo typedInfo(typed);
    const bool namesFolder = typed.endsWith(QLatin1Char('/')) || typedInfo.isDir();
    if (namesFolder) {
        if (!typedInfo.isDir())
            return makeError(
                ErrorCode::NotFound, QStringLiteral("Cannot write %1 into %2: there is no such folder.").arg(what, shown(typed)));
        if (defaultName.isEmpty())
            return makeError(
                ErrorCode::Invalid, QStringLiteral("%1 is a folder: give the name of the file for %2.").arg(shown(typed), what));
        path = QDir(typed).filePath(defaultName);
    }
    path = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const QString folder = QFileInfo(path).absolutePath();
    if (!QFileInfo(folder).isDir())
        return makeError(ErrorCode::NotFound,
            QStringLiteral("Cannot write %1 as %2: the folder %3 does not exist.").arg(what, shown(path), shown(folder)));

    OutputTarget target;
    target.path = canonicalName(path);
    struct stat st {
    };
    if (::lstat(encoded(path).constData(), &st) != 0) {
        if (errno != ENOENT)
            return makeError(ErrorCode::Storage,
                QStringLiteral("Cannot check %1 before writing %2: %3").arg(shown(path), what, reason(errno)));
        // A new name; it may still be one the register will use (its -wal file).
        if (isProtected(path))
            return makeError(ErrorCode::Refused,
                QStringLiteral("%1 is a file Rightsflow is using (the register or its configuration): %2 is never written "
                               "there. Choose another name.")
                    .arg(shown(path), what));
        return target;
    }
    if (S_ISLNK(st.st_mode)) {
        struct stat pointed {
        };
        if (::stat(encoded(path).constData(), &pointed) != 0)
            return makeError(ErrorCode::Refused,
                QStringLiteral("%1 is a symbolic link to nothing that exists (%2): writing %3 there would create a file "
                               "somewhere else. Choose another name.")
                    .arg(shown(path), shown(QFileInfo(path).symLinkTarget()), what));
        st = pointed;
        target.path = QFileInfo(path).canonicalFilePath();
    }
    if (S_ISDIR(st.st_mode))
        return makeError(ErrorCode::Refused, QStringLiteral("%1 is a folder: %2 is not written over it.").arg(shown(path), what));
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::Refused,
            QStringLiteral("%1 is not a regular file (a device, a FIFO or a socket): Rightsflow writes %2 only to a regular "
                           "file or a new name.")
                .arg(shown(path), what));
    if (isProtected(target.path))
        return makeError(ErrorCode::Refused,
            QStringLiteral("%1 is a file Rightsflow is using (the register or its configuration): it is never overwritten. "
                           "Choose another name for %2.")
                .arg(shown(path), what));
    if (overwrite == Overwrite::Refuse)
        return makeError(ErrorCode::Exists,
            QStringLiteral("%1 already exists, and Rightsflow does not replace a file unless told to.").arg(shown(path)));
    target.replaces = true;
    return target;
}

OutputFile::OutputFile(OutputTarget target, QString what)
    : m_target(std::move(target))
    , m_what(std::move(what))
{ }

Result<std::unique_ptr<OutputFile>> OutputFile::create(const OutputTarget &target, const QString &what)
{
    std::unique_ptr<OutputFile> output(new OutputFile(target, what));
    const QString folder = QFileInfo(target.path).absolutePath();
    // Readable by its owner only: what Rightsflow writes holds personal data.
    // Unnamed where the filesystem allows (O_TMPFILE): a crash, even kill -9,
    // then leaves nothing behind, not even a hidden part file.
    int fd = -1;
#ifdef O_TMPFILE
    if (unnamedFilesAllowed()) {
        fd = ::open(encoded(folder).constData(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        // Its name comes through /proc (linkat, reading back): without /proc
        // (some chroots), the named temporary file it is.
        if (fd >= 0 && ::access(QStringLiteral("/proc/self/fd/%1").arg(fd).toLatin1().constData(), R_OK) != 0) {
            ::close(fd);
            fd = -1;
        }
        output->m_unnamed = fd >= 0;
    }
#endif
    if (fd < 0) {
        output->m_temporary = uniqueSibling(target.path, "part");
        fd = ::open(encoded(output->m_temporary).constData(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        const int error = errno;
        output->m_temporary.clear();
        return makeError(ErrorCode::Storage, QStringLiteral("Cannot write %1 in %2: %3").arg(what, shown(folder), reason(error)));
    }
    output->m_file = std::make_unique<QFile>();
    if (!output->m_file->open(fd, QIODevice::ReadWrite, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return makeError(ErrorCode::Storage,
            QStringLiteral("Cannot write %1 as %2: %3").arg(what, shown(target.path), output->m_file->errorString()));
    }
    if (output->m_unnamed)
        output->m_temporary = QStringLiteral("/proc/self/fd/%1").arg(fd);
    return output;
}

OutputFile::~OutputFile()
{
    if (m_placed && !m_finished)
        rollback();
    if (m_file)
        m_file->close(); // an unnamed file that was never placed goes with it
    if (!m_temporary.isEmpty() && !m_placed && !m_unnamed)
        ::unlink(encoded(m_temporary).constData());
}

QIODevice *OutputFile::device() const
{
    return m_file.get();
}

QString OutputFile::temporaryPath() const
{
    return m_temporary;
}

Status OutputFile::fail(const QString &doing, int error)
{
    return makeError(ErrorCode::Storage,
        QStringLiteral("Cannot write %1 as %2: %3 failed: %4 (nothing was written there)")
            .arg(m_what, shown(m_target.path), doing, reason(error)));
}

Status OutputFile::sync()
{
    if (m_placed || !m_file || !m_file->isOpen())
        return makeError(
            ErrorCode::Invalid, QStringLiteral("%1 was already put in place as %2.").arg(m_what, shown(m_target.path)));
    if (!m_file->flush() || m_file->error() != QFileDevice::NoError)
        return makeError(ErrorCode::Storage,
            QStringLiteral("Cannot write %1 as %2: %3 (nothing was written there)")
                .arg(m_what, shown(m_target.path), m_file->errorString()));
    if (::fsync(m_file->handle()) != 0)
        return fail(QStringLiteral("syncing to disk"), errno);
    return {};
}

Status OutputFile::place()
{
    if (Status s = sync(); !s)
        return s;

    const QByteArray target = encoded(m_target.path);
    // An unnamed file gets a name by linking it: straight to the target when
    // nothing may be replaced (link(2) never replaces), else to a hidden name
    // that is then renamed over the file it replaces.
    QString named = m_temporary;
    if (m_unnamed) {
        if (!m_target.replaces) {
            if (::linkat(AT_FDCWD, encoded(m_temporary).constData(), AT_FDCWD, target.constData(), AT_SYMLINK_FOLLOW) != 0) {
                const int error = errno;
                if (error == EEXIST)
                    return makeError(ErrorCode::Exists,
                        QStringLiteral("%1 appeared while %2 was being written, and it was not replaced.")
                            .arg(shown(m_target.path), m_what));
                return fail(QStringLiteral("naming the file"), error);
            }
            named.clear();
        } else {
            named = uniqueSibling(m_target.path, "part");
            if (::linkat(AT_FDCWD, encoded(m_temporary).constData(), AT_FDCWD, encoded(named).constData(), AT_SYMLINK_FOLLOW)
                != 0)
                return fail(QStringLiteral("naming the file"), errno);
        }
    }
    m_file->close();
    if (!named.isEmpty() && !m_target.replaces) {
        if (const int error = renameNoReplace(named, m_target.path); error != 0) {
            if (error == EEXIST)
                return makeError(ErrorCode::Exists,
                    QStringLiteral("%1 appeared while %2 was being written, and it was not replaced.")
                        .arg(shown(m_target.path), m_what));
            return fail(QStringLiteral("naming the file"), error);
        }
    } else if (!named.isEmpty()) {
        // The file replaced is kept under a hidden name until the write is final.
        struct stat st {
        };
        const bool present = ::lstat(target.constData(), &st) == 0;
        if (present && !S_ISREG(st.st_mode)) {
            ::unlink(encoded(named).constData());
            return makeError(ErrorCode::Refused,
                QStringLiteral("%1 is no longer a regular file: %2 was not written there.").arg(shown(m_target.path), m_what));
        }
        bool movedAside = false;
        if (present) {
            const QString aside = uniqueSibling(m_target.path, "replaced");
            if (::link(target.constData(), encoded(aside).constData()) == 0) {
                m_aside = aside;
            } else if (::rename(target.constData(), encoded(aside).constData()) == 0) {
                // No hard links here (FAT, some network shares): moved aside
                // instead, so that a rollback can still bring it back.
                m_aside = aside;
                movedAside = true;
            } else {
                const int error = errno;
                ::unlink(encoded(named).constData());
                return fail(QStringLiteral("keeping the file it replaces"), error);
            }
        }
        if (::rename(encoded(named).constData(), target.constData()) != 0) {
            const int error = errno;
            ::unlink(encoded(named).constData());
            if (movedAside)
                ::rename(encoded(m_aside).constData(), target.constData());
            else if (!m_aside.isEmpty())
                ::unlink(encoded(m_aside).constData());
            m_aside.clear();
            return fail(QStringLiteral("naming the file"), error);
        }
    }
    m_temporary.clear();
    syncFolder(QFileInfo(m_target.path).absolutePath());
    struct stat placed {
    };
    if (::lstat(target.constData(), &placed) == 0) {
        m_placedDevice = placed.st_dev;
        m_placedInode = placed.st_ino;
    }
    m_placed = true;
    return {};
}

void OutputFile::finish()
{
    if (!m_placed || m_finished)
        return;
    if (!m_aside.isEmpty())
        ::unlink(encoded(m_aside).constData());
    m_aside.clear();
    m_finished = true;
}

void OutputFile::rollback()
{
    if (!m_placed || m_finished)
        return;
    const QByteArray target = encoded(m_target.path);
    struct stat now {
    };
    const bool ours = ::lstat(target.constData(), &now) == 0 && now.st_dev == m_placedDevice && now.st_ino == m_placedInode;
    // Only what this write placed is taken back: a file someone put there
    // since stays, and the replaced one stays aside rather than over it.
    if (ours && !m_aside.isEmpty())
        ::rename(encoded(m_aside).constData(), target.constData());
    else if (ours)
        ::unlink(target.constData());
    syncFolder(QFileInfo(m_target.path).absolutePath());
    m_aside.clear();
    m_placed = false;
}

Status OutputFile::commit()
{
    if (Status s = place(); !s)
        return s;
    finish();
    return {};
}

} // namespace rf
