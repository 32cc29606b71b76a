import { Injectable } from '@nestjs/common';
import { DirectoryRepository, type RegionSchool } from '../../../libs/persistence';

export type { RegionSchool };

/**
 * The region's schools with their codes and the municipalities' neighbours, as identification and partnerships read
 * them (the cycle migration added both columns to organizations). The queries live in DirectoryRepository.
 */
@Injectable()
export class RegionDirectory {
  constructor(private readonly directory: DirectoryRepository) {}

  async schools(regionCode: string): Promise<RegionSchool[]> {
    return this.directory.listRegionSchools(regionCode);
  }

  /** municipality → its neighbours as written; suggestPartners reads the relation both ways. */
  async neighbours(regionCode: string): Promise<Record<string, string[]>> {
    return this.directory.municipalityNeighbours(regionCode);
  }
}
