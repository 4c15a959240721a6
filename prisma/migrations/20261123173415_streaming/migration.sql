-- CreateEnum
CREATE TYPE "StorageState" AS ENUM ('ACTIVE', 'STOPPED');

-- CreateTable
CREATE TABLE "Storage" (
    "id" SERIAL NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "folder" TEXT NOT NULL,
    "fileIndex" INTEGER NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileSize" BIGINT NOT NULL,
    "reservedBytes" BIGINT NOT NULL,
    "bytesOnDisk" BIGINT NOT NULL DEFAULT 0,
    "pieceLength" INTEGER NOT NULL,
    "piecesTotal" INTEGER NOT NULL,
    "piecesVerified" INTEGER NOT NULL DEFAULT 0,
    "bitfield" BYTEA,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "state" "StorageState" NOT NULL DEFAULT 'ACTIVE',
    "lastAccessAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Storage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StreamToken" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "fileIndex" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StreamToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchProgress" (
    "userId" UUID NOT NULL,
    "movieId" INTEGER NOT NULL,
    "position" DOUBLE PRECISION NOT NULL,
    "duration" DOUBLE PRECISION NOT NULL,
    "fraction" DOUBLE PRECISION NOT NULL,
    "watched" BOOLEAN NOT NULL DEFAULT false,
    "watchedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WatchProgress_pkey" PRIMARY KEY ("userId","movieId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Storage_sourceId_key" ON "Storage"("sourceId");

-- CreateIndex
CREATE INDEX "Storage_lastAccessAt_idx" ON "Storage"("lastAccessAt");

-- CreateIndex
CREATE INDEX "StreamToken_userId_idx" ON "StreamToken"("userId");

-- CreateIndex
CREATE INDEX "StreamToken_expiresAt_idx" ON "StreamToken"("expiresAt");

-- CreateIndex
CREATE INDEX "WatchProgress_userId_watched_updatedAt_idx" ON "WatchProgress"("userId", "watched", "updatedAt" DESC);

-- AddForeignKey
ALTER TABLE "Storage" ADD CONSTRAINT "Storage_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "MovieSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StreamToken" ADD CONSTRAINT "StreamToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StreamToken" ADD CONSTRAINT "StreamToken_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "MovieSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchProgress" ADD CONSTRAINT "WatchProgress_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchProgress" ADD CONSTRAINT "WatchProgress_movieId_fkey" FOREIGN KEY ("movieId") REFERENCES "Movie"("id") ON DELETE CASCADE ON UPDATE CASCADE;

