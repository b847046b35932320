async function main(argv: string[]): Promise<number> {
  process.stdout.write(`pycom-modem: ${argv.join(' ')}\n`);
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
