#!/usr/bin/env node
import { main } from '../dist/bundle/at-scenario.js'

process.exitCode = await main(process.argv.slice(2))
