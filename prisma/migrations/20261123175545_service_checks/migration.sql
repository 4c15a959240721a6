-- CreateEnum
CREATE TYPE "ServiceState" AS ENUM ('UP', 'DEGRADED', 'DOWN');

-- CreateTable
CREATE TABLE "ServiceCheck" (
    "id" BIGSERIAL NOT NULL,
    "service" TEXT NOT NULL,
    "state" "ServiceState" NOT NULL,
    "latencyMs" INTEGER,
    "detail" TEXT,
    "checkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServiceCheck_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ServiceCheck_service_checkedAt_idx" ON "ServiceCheck"("service", "checkedAt" DESC);

-- CreateIndex
CREATE INDEX "ServiceCheck_checkedAt_idx" ON "ServiceCheck"("checkedAt");

