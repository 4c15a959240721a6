-- AlterTable
ALTER TABLE "MovieSource" ADD COLUMN     "deadSince" TIMESTAMP(3),
ADD COLUMN     "fileCount" INTEGER,
ADD COLUMN     "metadataAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "metadataError" TEXT,
ADD COLUMN     "nextMetadataAt" TIMESTAMP(3),
ADD COLUMN     "pieceLength" INTEGER,
ADD COLUMN     "statsStableRuns" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "videoFileIndex" INTEGER,
ADD COLUMN     "videoFileName" TEXT,
ADD COLUMN     "videoFileSize" BIGINT;

-- CreateIndex
CREATE INDEX "MovieSource_nextMetadataAt_idx" ON "MovieSource"("nextMetadataAt");

