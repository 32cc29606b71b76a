import type { DataSource, EntityManager } from 'typeorm';
import type { AgreementWrite } from '../../contracts/task-record';

export interface AgreementRow {
  id: string;
  cycleId: string;
  stepKey: string;
  municipalityId: string;
  schoolId: string;
  schoolName: string;
  partnerSchoolId: string;
  partnerSchoolName: string;
  /** The partner school's own municipality, which supervises its steps (it may differ from the proposing one). */
  partnerMunicipalityId: string | null;
  /** Names from the directory, for readers who may not read those organisations (a school, a neighbour). */
  municipalityName: string | null;
  partnerMunicipalityName: string | null;
  status: 'proposed' | 'signed' | 'cancelled';
  confirmations: Record<string, { by: string; at: string }>;
  documentId: string | null;
  proposedBy: string;
  proposedAt: Date;
  signedAt: Date | null;
}

const AGREEMENT_COLUMNS = `a.id, a.cycle_id AS "cycleId", a.step_key AS "stepKey", a.municipality_id AS "municipalityId",
  a.school_id AS "schoolId", s.name AS "schoolName", a.partner_school_id AS "partnerSchoolId", p.name AS "partnerSchoolName", p.parent_id AS "partnerMunicipalityId",
  m.name AS "municipalityName", pm.name AS "partnerMunicipalityName",
  a.status, a.confirmations, a.document_id AS "documentId", a.proposed_by AS "proposedBy", a.proposed_at AS "proposedAt",
  a.signed_at AS "signedAt"`;

/** With the names of the school, the partner, the municipality and the partner's municipality. */
const AGREEMENT_FROM = `FROM agreements a JOIN organizations s ON s.id = a.school_id JOIN organizations p ON p.id = a.partner_school_id
  LEFT JOIN organizations m ON m.id = a.municipality_id LEFT JOIN organizations pm ON pm.id = p.parent_id`;

/**
 * Partnership agreements of a cycle: the pairs a municipality proposes, each party's confirmation, the signed
 * document's parties, and how many schools each partner already accompanies.
 */
export class AgreementRepository {
  constructor(private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async listAgreements(filter: { cycleId: string; municipalityId?: string; stepKey?: string; organizationId?: string }): Promise<AgreementRow[]> {
    return this.dataSource.query(
      `SELECT ${AGREEMENT_COLUMNS} ${AGREEMENT_FROM}
        WHERE a.cycle_id = $1 AND a.status <> 'cancelled'
          AND ($2::text IS NULL OR a.municipality_id = $2) AND ($3::text IS NULL OR a.step_key = $3)
          AND ($4::text IS NULL OR $4 IN (a.school_id, a.partner_school_id, a.municipality_id))
        ORDER BY s.name, p.name`,
      [filter.cycleId, filter.municipalityId ?? null, filter.stepKey ?? null, filter.organizationId ?? null],
    );
  }

  /** The parties of the agreements whose signed document this is: the school, the partner school, the municipality. */
  async partiesOfSignedDocument(documentId: string): Promise<string[]> {
    const rows: { school_id: string; partner_school_id: string; municipality_id: string }[] = await this.dataSource.query(
      `SELECT school_id, partner_school_id, municipality_id FROM agreements WHERE document_id = $1 AND status <> 'cancelled'`,
      [documentId],
    );
    return [...new Set(rows.flatMap((r) => [r.school_id, r.partner_school_id, r.municipality_id]))];
  }

  async findAgreement(id: string, manager?: EntityManager): Promise<AgreementRow | null> {
    const rows: AgreementRow[] = await this.db(manager).query(
      `SELECT ${AGREEMENT_COLUMNS} ${AGREEMENT_FROM}
        WHERE a.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Agreements per partner school in this cycle and the region's other cycles still running (a multi-year
   * programme overlaps the next year's): "not overloaded" counts them all.
   */
  async partnerLoads(cycleId: string): Promise<Map<string, number>> {
    const rows: { partnerSchoolId: string; load: string }[] = await this.dataSource.query(
      `SELECT a.partner_school_id AS "partnerSchoolId", count(*) AS load
         FROM agreements a JOIN cycles c ON c.id = a.cycle_id
        WHERE a.status <> 'cancelled'
          AND c.region_code = (SELECT region_code FROM cycles WHERE id = $1)
          AND (c.id = $1 OR c.status IN ('running', 'paused'))
        GROUP BY a.partner_school_id`,
      [cycleId],
    );
    return new Map(rows.map((r) => [r.partnerSchoolId, Number(r.load)]));
  }

  /** Proposes the pair, or proposes it again under this proposal when it was proposed before; returns its id. */
  async insertAgreement(manager: EntityManager, a: AgreementWrite): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO agreements (cycle_id, step_key, municipality_id, school_id, partner_school_id, status, proposal_submission_id, proposed_by)
       VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7)
       ON CONFLICT (cycle_id, school_id, partner_school_id) DO UPDATE SET status = 'proposed', proposal_submission_id = EXCLUDED.proposal_submission_id
       RETURNING id`,
      [a.cycleId, a.stepKey, a.municipalityId, a.schoolId, a.partnerSchoolId, a.proposalSubmissionId, a.proposedBy],
    );
    return rows[0].id;
  }

  /** Records one party's confirmation; the agreement is signed when all three have confirmed. */
  async confirmAgreement(
    manager: EntityManager,
    id: string,
    party: 'school' | 'partner' | 'municipality',
    by: string,
    documentId: string | null,
  ): Promise<AgreementRow> {
    await manager.query(
      `UPDATE agreements SET confirmations = confirmations || jsonb_build_object($2::text, jsonb_build_object('by', $3::text, 'at', now())),
              document_id = coalesce($4::uuid, document_id)
        WHERE id = $1`,
      [id, party, by, documentId],
    );
    await manager.query(
      `UPDATE agreements SET status = 'signed', signed_at = now()
        WHERE id = $1 AND status = 'proposed' AND confirmations ?& array['school', 'partner', 'municipality'] AND document_id IS NOT NULL`,
      [id],
    );
    const row = await this.findAgreement(id, manager);
    if (!row) throw new Error(`agreement ${id} vanished`);
    return row;
  }
}
