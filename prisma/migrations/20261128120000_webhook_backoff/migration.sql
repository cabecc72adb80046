-- DropIndex
DROP INDEX "WebhookEvent_status_receivedAt_idx";

-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "WebhookEvent_status_nextAttemptAt_idx" ON "WebhookEvent"("status", "nextAttemptAt");
