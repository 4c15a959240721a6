-- CreateEnum
CREATE TYPE "SourceMetadataStatus" AS ENUM ('PENDING', 'READY', 'UNAVAILABLE');

-- CreateTable
CREATE TABLE "MovieSource" (
    "id" SERIAL NOT NULL,
    "movieId" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "hashLookup" TEXT NOT NULL,
    "infoHashEnc" TEXT NOT NULL,
    "magnetEnc" TEXT NOT NULL,
    "torrentUrlEnc" TEXT,
    "torrentFileEnc" TEXT,
    "quality" TEXT NOT NULL,
    "codec" TEXT NOT NULL,
    "type" TEXT,
    "sizeBytes" BIGINT NOT NULL,
    "seeds" INTEGER NOT NULL DEFAULT 0,
    "peers" INTEGER NOT NULL DEFAULT 0,
    "uploadedAt" TIMESTAMP(3),
    "score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lastStatsCheck" TIMESTAMP(3),
    "nextStatsCheckAt" TIMESTAMP(3),
    "metadataStatus" "SourceMetadataStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MovieSource_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MovieSource_hashLookup_idx" ON "MovieSource"("hashLookup");

-- CreateIndex
CREATE INDEX "MovieSource_nextStatsCheckAt_idx" ON "MovieSource"("nextStatsCheckAt");

-- CreateIndex
CREATE INDEX "MovieSource_movieId_score_idx" ON "MovieSource"("movieId", "score" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "MovieSource_movieId_hashLookup_key" ON "MovieSource"("movieId", "hashLookup");

-- AddForeignKey
ALTER TABLE "MovieSource" ADD CONSTRAINT "MovieSource_movieId_fkey" FOREIGN KEY ("movieId") REFERENCES "Movie"("id") ON DELETE CASCADE ON UPDATE CASCADE;

