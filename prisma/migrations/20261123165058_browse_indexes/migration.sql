-- DropIndex
DROP INDEX "Movie_popularity_idx";

-- DropIndex
DROP INDEX "Movie_rating_idx";

-- DropIndex
DROP INDEX "Movie_title_idx";

-- DropIndex
DROP INDEX "TVShow_popularity_idx";

-- DropIndex
DROP INDEX "TVShow_rating_idx";

-- DropIndex
DROP INDEX "TVShow_name_idx";

-- Rows held without a rating or popularity sort as 0 from now on.
UPDATE "Movie" SET "rating" = 0 WHERE "rating" IS NULL;
UPDATE "Movie" SET "popularity" = 0 WHERE "popularity" IS NULL;
UPDATE "TVShow" SET "rating" = 0 WHERE "rating" IS NULL;
UPDATE "TVShow" SET "popularity" = 0 WHERE "popularity" IS NULL;

-- AlterTable
ALTER TABLE "Movie" ALTER COLUMN "rating" SET NOT NULL,
ALTER COLUMN "rating" SET DEFAULT 0,
ALTER COLUMN "popularity" SET NOT NULL,
ALTER COLUMN "popularity" SET DEFAULT 0;

-- AlterTable
ALTER TABLE "TVShow" ALTER COLUMN "rating" SET NOT NULL,
ALTER COLUMN "rating" SET DEFAULT 0,
ALTER COLUMN "popularity" SET NOT NULL,
ALTER COLUMN "popularity" SET DEFAULT 0;

-- CreateIndex
CREATE INDEX "Movie_popularity_id_idx" ON "Movie"("popularity" DESC, "id");

-- CreateIndex
CREATE INDEX "Movie_rating_id_idx" ON "Movie"("rating" DESC, "id");

-- CreateIndex
CREATE INDEX "Movie_title_id_idx" ON "Movie"("title", "id");

-- CreateIndex
CREATE INDEX "TVShow_popularity_id_idx" ON "TVShow"("popularity" DESC, "id");

-- CreateIndex
CREATE INDEX "TVShow_rating_id_idx" ON "TVShow"("rating" DESC, "id");

-- CreateIndex
CREATE INDEX "TVShow_name_id_idx" ON "TVShow"("name", "id");

