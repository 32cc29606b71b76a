import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ComponentStatusView {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiPropertyOptional({ description: 'Why it is down' }) error?: string;
}

export class HealthComponentsView {
  @ApiProperty({ type: ComponentStatusView }) database!: ComponentStatusView;
  @ApiProperty({ type: ComponentStatusView }) temporal!: ComponentStatusView;
  @ApiProperty({ type: ComponentStatusView }) mail!: ComponentStatusView;
}

export class HealthView {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ type: [String], enum: ['database', 'temporal', 'mail'], description: 'The components that are down' }) down!: string[];
  @ApiProperty({ type: HealthComponentsView }) components!: HealthComponentsView;
}
