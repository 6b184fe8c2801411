// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QIODevice>
#include <QString>

#include <functional>

namespace rf {

// What streamDigest() read: the SHA-256 (lower-case hex) and size of it.
struct ContentDigest {
    QString sha256;
    qint64 size = 0;
};

// Reads `in` from where it is to its end in chunks of CaseItem::kChunkBytes,
// hashing it with SHA-256, copying it to `out` when given, and reporting the
// bytes done so far to `progress` after each chunk. A failed read or write is
// an error saying which (Storage); the caller adds what was being read.
[[nodiscard]] Result<ContentDigest> streamDigest(
    QIODevice *in, QIODevice *out = nullptr, const std::function<void(qint64)> &progress = {});

class Store;

// A case-file content in the register (see Store::contentChunk), read chunk
// by chunk as a reader asks for it: at most one chunk in memory, whatever
// the size. Random access; a missing or short chunk is a read error whose
// errorString() says which.
class ContentDevice final : public QIODevice
{
public:
    ContentDevice(Store &store, qint64 requestId, QString sha256, qint64 size);

    [[nodiscard]] bool isSequential() const override { return false; }
    [[nodiscard]] qint64 size() const override { return m_size; }

    // Copies the whole content to `out` (open for writing), checking it
    // against its SHA-256 on the way: a mismatch is a Storage error (the
    // register is damaged), as is a failed read or write.
    // `damaged`, when given, tells a mismatch (the register is damaged: no
    // retry will help) from a failed read or write (perhaps brief).
    [[nodiscard]] Status copyTo(QIODevice *out, bool *damaged = nullptr);

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    Store &m_store;
    qint64 m_requestId;
    QString m_sha256;
    qint64 m_size;
    int m_loaded = -1;
    QByteArray m_chunk;
};

} // namespace rf
