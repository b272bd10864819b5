// Picks the provider: an explicit name, or `auto` (`url` whenever a database-url is given; else for
// a major local binaries of it, else docker, else the embedded binaries of it; for any docker, else
// local binaries, else the embedded npm binaries).
import { GateError } from '../errors.js'
import type { Logger } from '../logger.js'
import { dockerProvider } from './docker.js'
import { embeddedProvider } from './embedded.js'
import { externalProvider } from './external.js'
import { localProvider } from './local.js'
import {
  AUTO_ORDER,
  AUTO_ORDER_ANY,
  PROVIDER_NAMES,
  type PostgresProvider,
  type ProviderName,
  type ProviderOptions,
} from './provider.js'

export type PostgresChoice = ProviderName | 'auto'

export function providerByName(name: ProviderName, options: ProviderOptions, logger?: Logger): PostgresProvider {
  switch (name) {
    case 'docker':
      return dockerProvider(options)
    case 'local':
      return localProvider(options)
    case 'embedded':
      return embeddedProvider(options)
    case 'url':
      return externalProvider(options, logger)
  }
}

export async function chooseProvider(
  choice: PostgresChoice,
  options: ProviderOptions,
  logger: Logger,
): Promise<PostgresProvider> {
  options = { ...options, logger: options.logger ?? logger }
  if (choice !== 'auto') {
    if (!PROVIDER_NAMES.includes(choice)) {
      throw new GateError(
        `postgres: unknown value "${String(choice)}" (allowed: auto, ${PROVIDER_NAMES.join(', ')})`,
        'postgres',
      )
    }
    return providerByName(choice, options, logger)
  }
  if (options.databaseUrl) {
    logger.info('postgres: auto picked url (database-url is set)')
    return externalProvider(options, logger)
  }
  const reasons: string[] = []
  const order = typeof options.version === 'number' ? AUTO_ORDER : AUTO_ORDER_ANY
  for (const name of order) {
    const provider = providerByName(name, options)
    const reason = await provider.unavailableReason()
    if (reason === null) {
      logger.info(`postgres: auto picked ${name}${reasons.length ? ` (${reasons.join('; ')})` : ''}`)
      return provider
    }
    reasons.push(`${name}: ${reason}`)
  }
  throw new GateError(`postgres: no provider can serve here: ${reasons.join('; ')}`, 'postgres')
}
