-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "MediaKind" AS ENUM ('MOVIE', 'SHOW');

-- CreateTable
CREATE TABLE "Genre" (
    "id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "forMovies" BOOLEAN NOT NULL DEFAULT false,
    "forShows" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Genre_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GenreTranslation" (
    "genreId" INTEGER NOT NULL,
    "language" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "GenreTranslation_pkey" PRIMARY KEY ("genreId","language")
);

-- CreateTable
CREATE TABLE "Movie" (
    "id" SERIAL NOT NULL,
    "tmdbId" INTEGER NOT NULL,
    "imdbId" TEXT,
    "title" TEXT NOT NULL,
    "originalTitle" TEXT,
    "originalLanguage" TEXT,
    "overview" TEXT,
    "tagline" TEXT,
    "runtime" INTEGER,
    "releaseDate" DATE,
    "year" INTEGER,
    "rating" DOUBLE PRECISION,
    "voteCount" INTEGER,
    "popularity" DOUBLE PRECISION,
    "status" TEXT,
    "adult" BOOLEAN NOT NULL DEFAULT false,
    "trailerKey" TEXT,
    "posterPath" TEXT,
    "backdropPath" TEXT,
    "logoPath" TEXT,
    "searchText" TEXT NOT NULL DEFAULT '',
    "syncedAt" TIMESTAMP(3),
    "sourceSearchedAt" TIMESTAMP(3),
    "nextSourceSearchAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Movie_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MovieTranslation" (
    "movieId" INTEGER NOT NULL,
    "language" TEXT NOT NULL,
    "region" TEXT NOT NULL DEFAULT '',
    "title" TEXT,
    "overview" TEXT,
    "tagline" TEXT,

    CONSTRAINT "MovieTranslation_pkey" PRIMARY KEY ("movieId","language","region")
);

-- CreateTable
CREATE TABLE "TVShow" (
    "id" SERIAL NOT NULL,
    "tmdbId" INTEGER NOT NULL,
    "imdbId" TEXT,
    "tvdbId" INTEGER,
    "name" TEXT NOT NULL,
    "originalName" TEXT,
    "originalLanguage" TEXT,
    "overview" TEXT,
    "tagline" TEXT,
    "firstAirDate" DATE,
    "lastAirDate" DATE,
    "year" INTEGER,
    "numberOfSeasons" INTEGER,
    "inProduction" BOOLEAN,
    "status" TEXT,
    "rating" DOUBLE PRECISION,
    "voteCount" INTEGER,
    "popularity" DOUBLE PRECISION,
    "trailerKey" TEXT,
    "posterPath" TEXT,
    "backdropPath" TEXT,
    "logoPath" TEXT,
    "searchText" TEXT NOT NULL DEFAULT '',
    "syncedAt" TIMESTAMP(3),
    "episodesWantedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TVShow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TVShowTranslation" (
    "showId" INTEGER NOT NULL,
    "language" TEXT NOT NULL,
    "region" TEXT NOT NULL DEFAULT '',
    "name" TEXT,
    "overview" TEXT,
    "tagline" TEXT,

    CONSTRAINT "TVShowTranslation_pkey" PRIMARY KEY ("showId","language","region")
);

-- CreateTable
CREATE TABLE "Season" (
    "id" SERIAL NOT NULL,
    "showId" INTEGER NOT NULL,
    "seasonNumber" INTEGER NOT NULL,
    "tmdbId" INTEGER,
    "name" TEXT,
    "overview" TEXT,
    "airDate" DATE,
    "posterPath" TEXT,
    "episodeCount" INTEGER,
    "synced" BOOLEAN NOT NULL DEFAULT false,
    "syncedAt" TIMESTAMP(3),

    CONSTRAINT "Season_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Episode" (
    "id" SERIAL NOT NULL,
    "seasonId" INTEGER NOT NULL,
    "episodeNumber" INTEGER NOT NULL,
    "tmdbId" INTEGER,
    "name" TEXT,
    "overview" TEXT,
    "airDate" DATE,
    "runtime" INTEGER,
    "stillPath" TEXT,
    "rating" DOUBLE PRECISION,

    CONSTRAINT "Episode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediaList" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "MediaKind" NOT NULL,
    "refreshedAt" TIMESTAMP(3),

    CONSTRAINT "MediaList_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediaListItem" (
    "listId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "movieId" INTEGER,
    "showId" INTEGER,

    CONSTRAINT "MediaListItem_pkey" PRIMARY KEY ("listId","position")
);

-- CreateTable
CREATE TABLE "SyncState" (
    "key" TEXT NOT NULL,
    "cursor" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3),
    "data" JSONB,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncState_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "_GenreToMovie" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_GenreToMovie_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateTable
CREATE TABLE "_GenreToTVShow" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_GenreToTVShow_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "Movie_tmdbId_key" ON "Movie"("tmdbId");

-- CreateIndex
CREATE INDEX "Movie_imdbId_idx" ON "Movie"("imdbId");

-- CreateIndex
CREATE INDEX "Movie_popularity_idx" ON "Movie"("popularity" DESC);

-- CreateIndex
CREATE INDEX "Movie_rating_idx" ON "Movie"("rating" DESC);

-- CreateIndex
CREATE INDEX "Movie_releaseDate_idx" ON "Movie"("releaseDate" DESC);

-- CreateIndex
CREATE INDEX "Movie_year_idx" ON "Movie"("year");

-- CreateIndex
CREATE INDEX "Movie_title_idx" ON "Movie"("title");

-- CreateIndex
CREATE INDEX "Movie_nextSourceSearchAt_idx" ON "Movie"("nextSourceSearchAt");

-- CreateIndex
CREATE INDEX "Movie_searchText_idx" ON "Movie" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "TVShow_tmdbId_key" ON "TVShow"("tmdbId");

-- CreateIndex
CREATE INDEX "TVShow_popularity_idx" ON "TVShow"("popularity" DESC);

-- CreateIndex
CREATE INDEX "TVShow_rating_idx" ON "TVShow"("rating" DESC);

-- CreateIndex
CREATE INDEX "TVShow_firstAirDate_idx" ON "TVShow"("firstAirDate" DESC);

-- CreateIndex
CREATE INDEX "TVShow_year_idx" ON "TVShow"("year");

-- CreateIndex
CREATE INDEX "TVShow_name_idx" ON "TVShow"("name");

-- CreateIndex
CREATE INDEX "TVShow_searchText_idx" ON "TVShow" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Season_synced_idx" ON "Season"("synced");

-- CreateIndex
CREATE UNIQUE INDEX "Season_showId_seasonNumber_key" ON "Season"("showId", "seasonNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Episode_seasonId_episodeNumber_key" ON "Episode"("seasonId", "episodeNumber");

-- CreateIndex
CREATE UNIQUE INDEX "MediaList_slug_key" ON "MediaList"("slug");

-- CreateIndex
CREATE INDEX "MediaListItem_movieId_idx" ON "MediaListItem"("movieId");

-- CreateIndex
CREATE INDEX "MediaListItem_showId_idx" ON "MediaListItem"("showId");

-- CreateIndex
CREATE INDEX "_GenreToMovie_B_index" ON "_GenreToMovie"("B");

-- CreateIndex
CREATE INDEX "_GenreToTVShow_B_index" ON "_GenreToTVShow"("B");

-- AddForeignKey
ALTER TABLE "GenreTranslation" ADD CONSTRAINT "GenreTranslation_genreId_fkey" FOREIGN KEY ("genreId") REFERENCES "Genre"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MovieTranslation" ADD CONSTRAINT "MovieTranslation_movieId_fkey" FOREIGN KEY ("movieId") REFERENCES "Movie"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TVShowTranslation" ADD CONSTRAINT "TVShowTranslation_showId_fkey" FOREIGN KEY ("showId") REFERENCES "TVShow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Season" ADD CONSTRAINT "Season_showId_fkey" FOREIGN KEY ("showId") REFERENCES "TVShow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Episode" ADD CONSTRAINT "Episode_seasonId_fkey" FOREIGN KEY ("seasonId") REFERENCES "Season"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MediaListItem" ADD CONSTRAINT "MediaListItem_listId_fkey" FOREIGN KEY ("listId") REFERENCES "MediaList"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MediaListItem" ADD CONSTRAINT "MediaListItem_movieId_fkey" FOREIGN KEY ("movieId") REFERENCES "Movie"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MediaListItem" ADD CONSTRAINT "MediaListItem_showId_fkey" FOREIGN KEY ("showId") REFERENCES "TVShow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_GenreToMovie" ADD CONSTRAINT "_GenreToMovie_A_fkey" FOREIGN KEY ("A") REFERENCES "Genre"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_GenreToMovie" ADD CONSTRAINT "_GenreToMovie_B_fkey" FOREIGN KEY ("B") REFERENCES "Movie"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_GenreToTVShow" ADD CONSTRAINT "_GenreToTVShow_A_fkey" FOREIGN KEY ("A") REFERENCES "Genre"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_GenreToTVShow" ADD CONSTRAINT "_GenreToTVShow_B_fkey" FOREIGN KEY ("B") REFERENCES "TVShow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

