// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/ContentDevice.h"

#include "store/Store.h"

#include <QCryptographicHash>

#include <cstring>

namespace rf {

ContentDevice::ContentDevice(Store &store, qint64 requestId, QString sha256, qint64 size)
    : m_store(store)
    , m_requestId(requestId)
    , m_sha256(std::move(sha256))
    , m_size(size)
{ }

qint64 ContentDevice::readData(char *data, qint64 maxSize)
{
    const qint64 at = pos();
    if (at >= m_size)
        return 0;
    const int index = int(at / CaseItem::kChunkBytes);
    if (index != m_loaded) {
        Result<QByteArray> chunk = m_store.contentChunk(m_requestId, m_sha256, index);
        if (!chunk) {
            setErrorString(chunk.error().message);
            return -1;
        }
        m_chunk = std::move(chunk).value();
        m_loaded = index;
    }
    const qint64 offset = at - qint64(index) * CaseItem::kChunkBytes;
    const qint64 available = m_chunk.size() - offset;
    if (available <= 0) {
        setErrorString(QStringLiteral("chunk %1 of content %2 is shorter than the register says").arg(index).arg(m_sha256));
        return -1;
    }
    const qint64 n = qMin(maxSize, available);
    std::memcpy(data, m_chunk.constData() + offset, size_t(n));
    return n;
}

Result<ContentDigest> streamDigest(QIODevice *in, QIODevice *out, const std::function<void(qint64)> &progress)
{
    QCryptographicHash sha(QCryptographicHash::Sha256);
    QByteArray buffer(int(CaseItem::kChunkBytes), Qt::Uninitialized);
    qint64 done = 0;
    for (;;) {
        const qint64 got = in->read(buffer.data(), buffer.size());
        if (got < 0)
            return makeError(ErrorCode::Storage, QStringLiteral("reading it failed: %1").arg(in->errorString()));
        if (got == 0)
            break;
        sha.addData(QByteArrayView(buffer.constData(), got));
        if (out && out->write(buffer.constData(), got) != got)
            return makeError(ErrorCode::Storage, QStringLiteral("writing it failed: %1").arg(out->errorString()));
        done += got;
        if (progress)
            progress(done);
    }
    return ContentDigest {QString::fromLatin1(sha.result().toHex()), done};
}

Status ContentDevice::copyTo(QIODevice *out, bool *damaged)
{
    if (damaged)
        *damaged = false;
    if (!isOpen() && !open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Storage, QStringLiteral("content %1 cannot be opened").arg(m_sha256));
    seek(0);
    Result<ContentDigest> copied = streamDigest(this, out);
    if (!copied)
        return copied.error();
    if (copied->size != m_size || copied->sha256 != m_sha256) {
        if (damaged)
            *damaged = true;
        return makeError(ErrorCode::Storage,
            QStringLiteral("its content in the register does not match the SHA-256 recorded when it was added; the register "
                           "is damaged"));
    }
    return {};
}

} // namespace rf
