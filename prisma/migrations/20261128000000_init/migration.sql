-- CreateEnum
CREATE TYPE "Provider" AS ENUM ('HUBSPOT', 'SALESFORCE');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('ACTIVE', 'NEEDS_ATTENTION', 'PAUSED');

-- CreateEnum
CREATE TYPE "ObjectKind" AS ENUM ('CONTACT', 'COMPANY', 'DEAL', 'ACTIVITY', 'OWNER');

-- CreateEnum
CREATE TYPE "SyncPhase" AS ENUM ('FULL', 'INCREMENTAL');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('IDLE', 'RUNNING', 'FAILED', 'PAUSED');

-- CreateEnum
CREATE TYPE "SyncRunStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "WebhookStatus" AS ENUM ('PENDING', 'PROCESSED', 'FAILED');

-- CreateEnum
CREATE TYPE "WriteBackStatus" AS ENUM ('PENDING', 'SENDING', 'DONE', 'DEAD');

-- CreateTable
CREATE TABLE "Connection" (
    "id" UUID NOT NULL,
    "provider" "Provider" NOT NULL,
    "name" TEXT NOT NULL,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'ACTIVE',
    "statusReason" TEXT,
    "credentials" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "pausedUntil" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Connection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Contact" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "remoteId" TEXT NOT NULL,
    "remoteType" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "title" TEXT,
    "phone" TEXT,
    "companyRemoteId" TEXT,
    "ownerRemoteId" TEXT,
    "lifecycleStage" TEXT,
    "lifecycleStageLabel" TEXT,
    "leadStatus" TEXT,
    "leadStatusLabel" TEXT,
    "customFields" JSONB NOT NULL DEFAULT '{}',
    "raw" JSONB NOT NULL,
    "contentHash" TEXT NOT NULL,
    "remoteCreatedAt" TIMESTAMPTZ(3),
    "remoteUpdatedAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),
    "mergedIntoRemoteId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Company" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "remoteId" TEXT NOT NULL,
    "name" TEXT,
    "domain" TEXT,
    "industry" TEXT,
    "industryLabel" TEXT,
    "employeeCount" INTEGER,
    "annualRevenue" DECIMAL(20,2),
    "currency" TEXT,
    "city" TEXT,
    "country" TEXT,
    "ownerRemoteId" TEXT,
    "customFields" JSONB NOT NULL DEFAULT '{}',
    "raw" JSONB NOT NULL,
    "contentHash" TEXT NOT NULL,
    "remoteCreatedAt" TIMESTAMPTZ(3),
    "remoteUpdatedAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),
    "mergedIntoRemoteId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Company_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deal" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "remoteId" TEXT NOT NULL,
    "name" TEXT,
    "amount" DECIMAL(20,2),
    "currency" TEXT,
    "stage" TEXT,
    "stageLabel" TEXT,
    "pipeline" TEXT,
    "closeDate" TIMESTAMPTZ(3),
    "isClosed" BOOLEAN,
    "isWon" BOOLEAN,
    "companyRemoteId" TEXT,
    "ownerRemoteId" TEXT,
    "customFields" JSONB NOT NULL DEFAULT '{}',
    "raw" JSONB NOT NULL,
    "contentHash" TEXT NOT NULL,
    "remoteCreatedAt" TIMESTAMPTZ(3),
    "remoteUpdatedAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),
    "mergedIntoRemoteId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Deal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Activity" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "remoteId" TEXT NOT NULL,
    "remoteType" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT,
    "bodyText" TEXT,
    "bodyHtml" TEXT,
    "occurredAt" TIMESTAMPTZ(3),
    "ownerRemoteId" TEXT,
    "customFields" JSONB NOT NULL DEFAULT '{}',
    "raw" JSONB NOT NULL,
    "contentHash" TEXT NOT NULL,
    "remoteCreatedAt" TIMESTAMPTZ(3),
    "remoteUpdatedAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Activity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Owner" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "remoteId" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "raw" JSONB NOT NULL,
    "contentHash" TEXT NOT NULL,
    "remoteUpdatedAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Owner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Association" (
    "connectionId" UUID NOT NULL,
    "fromKind" "ObjectKind" NOT NULL,
    "fromRemoteId" TEXT NOT NULL,
    "toKind" "ObjectKind" NOT NULL,
    "toRemoteId" TEXT NOT NULL,
    "label" TEXT,
    "isPrimary" BOOLEAN NOT NULL DEFAULT false,
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Association_pkey" PRIMARY KEY ("connectionId","fromKind","fromRemoteId","toKind","toRemoteId")
);

-- CreateTable
CREATE TABLE "FieldDef" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "objectType" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "options" JSONB NOT NULL DEFAULT '[]',
    "custom" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "FieldDef_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "objectType" TEXT NOT NULL,
    "phase" "SyncPhase" NOT NULL DEFAULT 'FULL',
    "cursor" JSONB,
    "status" "SyncStatus" NOT NULL DEFAULT 'IDLE',
    "stageStartedAt" TIMESTAMPTZ(3),
    "lastSuccessAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SyncState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "objectType" TEXT NOT NULL,
    "phase" "SyncPhase" NOT NULL,
    "status" "SyncRunStatus" NOT NULL DEFAULT 'RUNNING',
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "durationMs" INTEGER,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "recordsSeen" INTEGER NOT NULL DEFAULT 0,
    "recordsWritten" INTEGER NOT NULL DEFAULT 0,
    "recordsDeleted" INTEGER NOT NULL DEFAULT 0,
    "apiCalls" INTEGER NOT NULL DEFAULT 0,
    "rateLimited" INTEGER NOT NULL DEFAULT 0,
    "errorCount" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" UUID NOT NULL,
    "connectionId" UUID,
    "provider" "Provider" NOT NULL,
    "eventId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "WebhookStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AiOutput" (
    "id" UUID NOT NULL,
    "contactId" UUID NOT NULL,
    "score" INTEGER NOT NULL,
    "previousScore" INTEGER,
    "rationale" TEXT NOT NULL,
    "playbook" TEXT,
    "source" TEXT NOT NULL,
    "model" TEXT,
    "idempotencyKey" TEXT,
    "leadStatus" TEXT,
    "lifecycleStage" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AiOutput_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WriteBack" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "aiOutputId" UUID,
    "objectType" TEXT NOT NULL,
    "remoteId" TEXT,
    "operation" TEXT NOT NULL DEFAULT 'UPDATE',
    "fields" JSONB NOT NULL,
    "status" "WriteBackStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "claimedAt" TIMESTAMPTZ(3),
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WriteBack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Signal" (
    "id" UUID NOT NULL,
    "contactId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "observedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Signal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Connection_name_key" ON "Connection"("name");

-- CreateIndex
CREATE INDEX "Contact_email_idx" ON "Contact"("email");

-- CreateIndex
CREATE INDEX "Contact_connectionId_companyRemoteId_idx" ON "Contact"("connectionId", "companyRemoteId");

-- CreateIndex
CREATE INDEX "Contact_connectionId_ownerRemoteId_idx" ON "Contact"("connectionId", "ownerRemoteId");

-- CreateIndex
CREATE INDEX "Contact_remoteUpdatedAt_idx" ON "Contact"("remoteUpdatedAt");

-- CreateIndex
CREATE INDEX "Contact_updatedAt_idx" ON "Contact"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Contact_connectionId_remoteId_key" ON "Contact"("connectionId", "remoteId");

-- CreateIndex
CREATE INDEX "Company_domain_idx" ON "Company"("domain");

-- CreateIndex
CREATE INDEX "Company_remoteUpdatedAt_idx" ON "Company"("remoteUpdatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Company_connectionId_remoteId_key" ON "Company"("connectionId", "remoteId");

-- CreateIndex
CREATE INDEX "Deal_connectionId_companyRemoteId_idx" ON "Deal"("connectionId", "companyRemoteId");

-- CreateIndex
CREATE INDEX "Deal_remoteUpdatedAt_idx" ON "Deal"("remoteUpdatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Deal_connectionId_remoteId_key" ON "Deal"("connectionId", "remoteId");

-- CreateIndex
CREATE INDEX "Activity_connectionId_occurredAt_idx" ON "Activity"("connectionId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Activity_connectionId_remoteId_key" ON "Activity"("connectionId", "remoteId");

-- CreateIndex
CREATE INDEX "Owner_email_idx" ON "Owner"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Owner_connectionId_remoteId_key" ON "Owner"("connectionId", "remoteId");

-- CreateIndex
CREATE INDEX "Association_connectionId_toKind_toRemoteId_idx" ON "Association"("connectionId", "toKind", "toRemoteId");

-- CreateIndex
CREATE UNIQUE INDEX "FieldDef_connectionId_objectType_name_key" ON "FieldDef"("connectionId", "objectType", "name");

-- CreateIndex
CREATE UNIQUE INDEX "SyncState_connectionId_objectType_key" ON "SyncState"("connectionId", "objectType");

-- CreateIndex
CREATE INDEX "SyncRun_connectionId_startedAt_idx" ON "SyncRun"("connectionId", "startedAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_status_receivedAt_idx" ON "WebhookEvent"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_provider_eventId_key" ON "WebhookEvent"("provider", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "AiOutput_idempotencyKey_key" ON "AiOutput"("idempotencyKey");

-- CreateIndex
CREATE INDEX "AiOutput_contactId_createdAt_idx" ON "AiOutput"("contactId", "createdAt");

-- CreateIndex
CREATE INDEX "WriteBack_status_nextAttemptAt_idx" ON "WriteBack"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WriteBack_connectionId_objectType_remoteId_idx" ON "WriteBack"("connectionId", "objectType", "remoteId");

-- CreateIndex
CREATE INDEX "Signal_contactId_observedAt_idx" ON "Signal"("contactId", "observedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- AddForeignKey
ALTER TABLE "Contact" ADD CONSTRAINT "Contact_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Company" ADD CONSTRAINT "Company_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deal" ADD CONSTRAINT "Deal_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Activity" ADD CONSTRAINT "Activity_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Owner" ADD CONSTRAINT "Owner_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Association" ADD CONSTRAINT "Association_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FieldDef" ADD CONSTRAINT "FieldDef_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncState" ADD CONSTRAINT "SyncState_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookEvent" ADD CONSTRAINT "WebhookEvent_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AiOutput" ADD CONSTRAINT "AiOutput_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WriteBack" ADD CONSTRAINT "WriteBack_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WriteBack" ADD CONSTRAINT "WriteBack_aiOutputId_fkey" FOREIGN KEY ("aiOutputId") REFERENCES "AiOutput"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signal" ADD CONSTRAINT "Signal_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;
